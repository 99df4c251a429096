import type { Config } from '../../config';
import type { Connectors, Provisioner } from '../../ports/provisioners';
import type { Onboarding } from '../../schemas/onboarding';
import type { CallPriority } from './graph-budget';
import { withCallPriority, type GraphClient } from './graph-client';
import { createLicenceConnector } from './licence-connector';
import { createTeamsConnector } from './teams-connector';
import { createVpnConnector } from './vpn-connector';

/**
 * The steps made in the tenant through Microsoft Graph, from the settings: the same wiring in Azure and on the
 * local host. Each connector's calls go at its agent's priority when the budget is short.
 */
export function graphConnectorsFrom(
  graph: GraphClient,
  config: Pick<
    Config,
    | 'Graph__vpnGroupId'
    | 'Graph__licenseSkuId'
    | 'Provisioning__defaultUsageLocation'
    | 'Provisioning__waitingRecheckSeconds'
    | 'Provisioning__departmentTeams'
  >,
): Connectors {
  const teams = config.Provisioning__departmentTeams;
  return {
    vpn: prioritised(createVpnConnector(graph, { vpnGroupId: config.Graph__vpnGroupId })),
    officeLicense: prioritised(
      createLicenceConnector(graph, {
        licenseSkuId: config.Graph__licenseSkuId,
        defaultUsageLocation: config.Provisioning__defaultUsageLocation,
        recheckSeconds: config.Provisioning__waitingRecheckSeconds,
      }),
    ),
    teams: prioritised(createTeamsConnector(graph, { teamOf: (department) => teams[department] })),
  };
}

const priorityOf = (o: Onboarding): CallPriority => (o.priority === 'continuity' ? 'continuity' : 'standard');

function prioritised(p: Provisioner): Provisioner {
  return {
    step: p.step,
    provision: (onboarding) => withCallPriority(priorityOf(onboarding), () => p.provision(onboarding)),
    revert: (onboarding) => withCallPriority(priorityOf(onboarding), () => p.revert(onboarding)),
  };
}
