/** App roles of the API's Entra ID app registration. */
export const Roles = {
  hrEventsSend: 'HrEvents.Send',
  onboardingApprove: 'Onboarding.Approve',
  onboardingRead: 'Onboarding.Read',
  inventoryManage: 'Inventory.Manage',
} as const;
export type Role = (typeof Roles)[keyof typeof Roles];
