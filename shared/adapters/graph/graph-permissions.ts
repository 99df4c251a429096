/**
 * Every Microsoft Graph call the product makes, with the least privileged application permission that
 * allows it and the reference that says so (each API page's "Permissions" table). The grant script
 * (infra/scripts/grant-graph-permissions.sh) and docs/operations.md come from this table, a test checks
 * that the script grants exactly it, and the simulated tenant grants exactly it to the local host.
 */
export const GRAPH_CALLS = [
  {
    call: 'GET /users/{upn}',
    use: "find the agent's account (four-eyes, every step), an agent in post's department, office and manager",
    permission: 'User.Read.All',
    reference: 'https://learn.microsoft.com/graph/api/user-get',
  },
  {
    call: 'GET /users',
    use: "find an agent in post named by their employee id ($filter=employeeId eq, the CODIR's list)",
    permission: 'User.Read.All',
    reference: 'https://learn.microsoft.com/graph/api/user-list',
  },
  {
    call: 'PATCH /users/{id}',
    use: 'set usageLocation when the account has none, before the licence',
    permission: 'User.ReadWrite.All',
    reference: 'https://learn.microsoft.com/graph/api/user-update',
  },
  {
    call: 'POST /groups/{id}/members/$ref',
    use: 'add the agent to the VPN access group',
    permission: 'GroupMember.ReadWrite.All',
    reference: 'https://learn.microsoft.com/graph/api/group-post-members',
  },
  {
    call: 'DELETE /groups/{id}/members/{id}/$ref',
    use: 'remove the agent from the VPN access group (undo, leaver)',
    permission: 'GroupMember.ReadWrite.All',
    reference: 'https://learn.microsoft.com/graph/api/group-delete-members',
  },
  {
    call: 'GET /subscribedSkus',
    use: 'read the seats of the licence',
    permission: 'LicenseAssignment.Read.All',
    reference: 'https://learn.microsoft.com/graph/api/subscribedsku-list',
  },
  {
    call: 'POST /users/{id}/assignLicense',
    use: 'assign and remove the Microsoft 365 licence',
    permission: 'LicenseAssignment.ReadWrite.All',
    reference: 'https://learn.microsoft.com/graph/api/user-assignlicense',
  },
  {
    call: 'GET /deviceManagement/windowsAutopilotDeviceIdentities',
    use: "find the laptop's Autopilot identity by serial number",
    permission: 'DeviceManagementServiceConfig.Read.All',
    reference: 'https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-list',
  },
  {
    call: 'POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/assignUserToDevice',
    use: 'assign the laptop to the agent',
    permission: 'DeviceManagementServiceConfig.ReadWrite.All',
    reference:
      'https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-assignusertodevice',
  },
  {
    call: 'POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/unassignUserFromDevice',
    use: 'take the laptop back from the agent',
    permission: 'DeviceManagementServiceConfig.ReadWrite.All',
    reference:
      'https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-unassignuserfromdevice',
  },
  {
    call: 'GET /teams/{id}/members',
    use: "see whether the agent is a member of their department's team already",
    permission: 'TeamMember.Read.All',
    reference: 'https://learn.microsoft.com/graph/api/team-list-members',
  },
  {
    call: 'POST /teams/{id}/members',
    use: "make the agent a member of their department's team",
    permission: 'TeamMember.ReadWriteNonOwnerRole.All',
    reference: 'https://learn.microsoft.com/graph/api/team-post-members',
  },
  {
    call: 'DELETE /teams/{id}/members/{membership-id}',
    use: 'take the agent out of a team (undo, move, leaver)',
    permission: 'TeamMember.ReadWriteNonOwnerRole.All',
    reference: 'https://learn.microsoft.com/graph/api/team-delete-members',
  },
  {
    call: 'POST /users/{id}/authentication/temporaryAccessPassMethods',
    use: 'a Temporary Access Pass for a first sign-in from home (narrower than UserAuthenticationMethod.ReadWrite.All, which Graph also accepts)',
    permission: 'UserAuthMethod-TAP.ReadWrite.All',
    reference: 'https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods',
  },
] as const;

/** The application permissions to grant the managed identity on Microsoft Graph: the table's, once each. */
export const GRAPH_APPLICATION_PERMISSIONS: readonly string[] = [...new Set(GRAPH_CALLS.map((c) => c.permission))];
