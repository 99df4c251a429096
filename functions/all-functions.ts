import type { FunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { approvalDeadlineWorker } from './approvals';
import { departureFunctions, departureWorker } from './departures';
import { equipmentRequestsImport, hrEventsHttp, hrEventsImport, hrEventsQueue } from './hr-events';
import { accessoryFunctions } from './accessories';
import { laptopAllocator, laptopFunctions } from './laptops';
import { notificationWorker } from './notifications';
import { onboardingFunctions } from './onboardings';
import { reportFunctions } from './reports';
import { outboxSweeper, retentionSweeper, stepWorkers } from './provisioning';
import { health, me, myArrivals, openApiDocument } from './service-info';
import { readiness } from './readiness';
import { webConsole } from './console';

/** Every function of the product, defined once; the Functions host and the local host both read this list. */
export function allFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    health(),
    readiness(services),
    openApiDocument(),
    me(services),
    myArrivals(services),
    hrEventsHttp(services),
    hrEventsImport(services),
    equipmentRequestsImport(services),
    hrEventsQueue(services),
    ...onboardingFunctions(services),
    ...laptopFunctions(services),
    ...accessoryFunctions(services),
    ...reportFunctions(services),
    ...stepWorkers(services),
    laptopAllocator(services),
    approvalDeadlineWorker(services),
    departureWorker(services),
    ...departureFunctions(services),
    notificationWorker(services),
    outboxSweeper(services),
    retentionSweeper(services),
    ...webConsole(services),
  ];
}
