import { Admission } from '../http/admission';
import { createReports } from './reports';
import { createRetention } from './retention';
import type { Config } from '../config';
import type { TokenValidator } from '../adapters/auth/jwt-validator';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { LaptopPool } from '../ports/laptop-pool';
import type { MessageBus } from '../ports/message-bus';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { RejectedMessageStore } from '../ports/rejected-messages';
import type { Provisioners } from '../ports/provisioners';
import type { Notifier } from '../ports/notifier';
import type { ReadinessCheck } from '../ports/readiness';
import type { Onboarding } from '../schemas/onboarding';
import { createDecideMany, createDecideOnboarding, createRetryOnboarding } from './decide-onboarding';
import { createHandleApprovalDeadline, createScheduleApprovalDeadlines } from './approval-deadlines';
import { createHandleHrEvent } from './handle-hr-event';
import { createAnnounce, createDeliverNotification } from './notifications';
import { createRequestAllocation, type RequestAllocation } from './allocation-requests';
import { createLaptopStock, createResumeLaptopSteps } from './laptop-stock';
import { createOnboardingWriter } from './onboarding-writer';
import { createRejectedMessages } from './rejected-messages';
import { createRunStepCommand } from './run-step-command';
import { createSweeper } from './sweeper';
import { createHandleDeparture, createScheduleDeparture } from './departures';
import { createChangePriority, createReturnLaptop, createServeFreedSeat } from './lifecycle';
import { createForecast } from './forecast';
import { createLeadTimes } from './lead-times';
import { createImportHires } from './hr-import';

/** The adapters a host provides. */
export interface Ports {
  config: Config;
  clock: Clock;
  store: OnboardingStore;
  laptops: LaptopPool;
  bus: MessageBus;
  directory: Directory;
  rejected: RejectedMessageStore;
  /** Built last, over the laptop pool above: the laptop connector asks the pool's allocator for passes. */
  provisioners: (requestAllocation: RequestAllocation, laptops: LaptopPool) => Provisioners;
  tokenValidator: TokenValidator;
  /** The DSI's Teams channel; null: notifications are off (not configured). */
  notifier: Notifier | null;
  /** What GET /api/health/ready checks (functions/readiness.ts). */
  readiness: readonly ReadinessCheck[];
}

/** The use cases, built once per worker over the ports. */
export function createServices(ports: Ports) {
  const { store, bus, clock, laptops, config, directory } = ports;
  const resume = createResumeLaptopSteps(bus, clock, config.Sweeper__reservationGraceSeconds);
  const requestAllocation = createRequestAllocation(bus, clock);
  // What the DSI's channel is told is queued after each change; a notification never fails what caused it.
  const announce = createAnnounce({
    bus,
    clock,
    log: console.warn,
    digestWindowMs: config.Notifications__digestSeconds * 1000,
  });
  const writer = createOnboardingWriter({ store, bus, clock, requestAllocation, announce });
  const provisioners = ports.provisioners(requestAllocation, laptops);
  const laptopStock = createLaptopStock({
    laptops,
    store,
    resume,
    requestAllocation,
    clock,
    nudgePeriodSeconds: config.Sweeper__outboxGraceSeconds,
  });
  const leadTimes = createLeadTimes({
    vpnLeadDays: config.Provisioning__vpnLeadDays,
    licenseLeadDays: config.Provisioning__licenseLeadDays,
  });
  const decideOnboarding = createDecideOnboarding({ store, writer, directory, clock, leadTimes });
  const scheduleDeparture = createScheduleDeparture(bus, clock);
  /** A laptop step in line after its onboarding changed (start date, priority): the next pass reads it anew. */
  const replanLaptop = (o: Onboarding) =>
    o.steps.laptop.status === 'waiting' ? requestAllocation(`replan/${o.id}/${o.updatedAt}`) : Promise.resolve();
  return {
    ...ports,
    provisioners,
    writer,
    admission: new Admission(config.Http__maxRequestsInFlight),
    // A laptop's place in line is read from its onboarding at each pass: a changed date takes effect at the next.
    handleHrEvent: createHandleHrEvent({
      store,
      writer,
      clock,
      announce,
      scheduleDeparture,
      leadTimes,
      scheduleApprovalDeadlines: createScheduleApprovalDeadlines(bus, {
        reminderAfter: config.Approval__reminderAfter,
        expiresAfter: config.Approval__expiresAfter,
      }),
      replanLaptop,
    }),
    decideOnboarding,
    decideMany: createDecideMany(decideOnboarding),
    retryOnboarding: createRetryOnboarding({ writer, clock }),
    handleApprovalDeadline: createHandleApprovalDeadline({ writer, clock }),
    handleDeparture: createHandleDeparture({ store, writer, laptops, clock, scheduleDeparture }),
    changePriority: createChangePriority({ writer, clock, replanLaptop }),
    returnLaptop: createReturnLaptop({ laptops, writer, directory, clock, requestAllocation }),
    readForecast: createForecast({ store, laptops, directory, clock }),
    importHires: createImportHires({ bus, laptops, directory, clock }),
    deliverNotification: createDeliverNotification({
      store,
      notifier: ports.notifier,
      bus,
      clock,
      consoleUrl: config.Console__publicUrl ?? 'http://127.0.0.1:7071/',
      retry: { maxAttempts: 10, baseSeconds: config.Notifications__retryBaseSeconds, maxSeconds: 1800 },
    }),
    laptopStock,
    reports: createReports({ store }),
    retention: createRetention({ store, clock, retention: config.Retention__personalData }),
    rejectedMessages: createRejectedMessages({ store: ports.rejected, bus, clock }),
    sweep: createSweeper({ store, writer, laptopStock, bus, clock, config }),
    runStepCommand: createRunStepCommand({
      store,
      bus,
      writer,
      provisioners,
      clock,
      serveFreedSeat: createServeFreedSeat({ store, bus }),
      directory,
      retry: {
        maxRetries: config.Provisioning__maxTransientRetries,
        baseSeconds: config.Provisioning__retryBaseSeconds,
        maxSeconds: config.Provisioning__retryMaxSeconds,
      },
    }),
  };
}
export type Services = ReturnType<typeof createServices>;

/** How function handlers reach the services: built lazily, once per worker. */
export type ServicesProvider = () => Promise<Services>;
