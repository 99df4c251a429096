/**
 * The Graph operations the simulated tenant serves, and the application permissions Microsoft Graph
 * accepts for each, least privileged first, as each API page's "Permissions" table lists them. A token
 * without one of them gets 403 Authorization_RequestDenied, as from Graph.
 */
export const GRAPH_OPERATIONS = {
  getUser: {
    accepted: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/user-get',
  },
  updateUser: {
    accepted: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/user-update',
  },
  addMember: {
    accepted: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/group-post-members',
  },
  removeMember: {
    accepted: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/group-delete-members',
  },
  // LicenseAssignment.ReadWrite.All is not listed here: reading seats needs a read permission of its own.
  listSubscribedSkus: {
    accepted: [
      'LicenseAssignment.Read.All',
      'Organization.Read.All',
      'Directory.Read.All',
      'Organization.ReadWrite.All',
      'Directory.ReadWrite.All',
    ],
    reference: 'https://learn.microsoft.com/graph/api/subscribedsku-list',
  },
  assignLicense: {
    accepted: ['LicenseAssignment.ReadWrite.All', 'Directory.ReadWrite.All', 'User.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/user-assignlicense',
  },
  listAutopilotDevices: {
    accepted: ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-list',
  },
  assignUserToDevice: {
    accepted: ['DeviceManagementServiceConfig.ReadWrite.All'],
    reference:
      'https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-assignusertodevice',
  },
  unassignUserFromDevice: {
    accepted: ['DeviceManagementServiceConfig.ReadWrite.All'],
    reference:
      'https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-unassignuserfromdevice',
  },
} as const satisfies Record<string, { accepted: readonly string[]; reference: string }>;

export type GraphOperation = keyof typeof GRAPH_OPERATIONS;
