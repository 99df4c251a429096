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
  listUsers: {
    accepted: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/user-list',
  },
  getManager: {
    accepted: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/user-list-manager',
  },
  updateUser: {
    accepted: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/user-update',
  },
  getGroup: {
    accepted: [
      'GroupMember.Read.All',
      'Group.Read.All',
      'Directory.Read.All',
      'Group.ReadWrite.All',
      'Directory.ReadWrite.All',
    ],
    reference: 'https://learn.microsoft.com/graph/api/group-get',
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
  // Teams membership. TeamMember.ReadWriteNonOwnerRole.All is the least privileged for adding and removing members;
  // it cannot touch owners (local/simulated-tenant/teams.ts).
  addTeamMember: {
    accepted: ['TeamMember.ReadWriteNonOwnerRole.All', 'TeamMember.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/team-post-members',
  },
  listTeamMembers: {
    accepted: ['TeamMember.Read.All', 'TeamMember.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/team-list-members',
  },
  getTeamMember: {
    accepted: ['TeamMember.Read.All', 'TeamMember.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/team-get-members',
  },
  removeTeamMember: {
    accepted: ['TeamMember.ReadWriteNonOwnerRole.All', 'TeamMember.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/team-delete-members',
  },
  // Temporary Access Pass: UserAuthMethod-TAP.* are the least privileged, UserAuthenticationMethod.* the broader.
  createAccessPass: {
    accepted: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods',
  },
  listAccessPasses: {
    accepted: [
      'UserAuthMethod-TAP.Read.All',
      'UserAuthenticationMethod.Read.All',
      'UserAuthMethod-TAP.ReadWrite.All',
      'UserAuthenticationMethod.ReadWrite.All',
    ],
    reference: 'https://learn.microsoft.com/graph/api/authentication-list-temporaryaccesspassmethods',
  },
  getAccessPass: {
    accepted: [
      'UserAuthMethod-TAP.Read.All',
      'UserAuthenticationMethod.Read.All',
      'UserAuthMethod-TAP.ReadWrite.All',
      'UserAuthenticationMethod.ReadWrite.All',
    ],
    reference: 'https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethod-get',
  },
  deleteAccessPass: {
    accepted: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
    reference: 'https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethod-delete',
  },
  getAccessPassPolicy: {
    accepted: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
    reference: 'https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get',
  },
} as const satisfies Record<string, { accepted: readonly string[]; reference: string }>;

export type GraphOperation = keyof typeof GRAPH_OPERATIONS;
