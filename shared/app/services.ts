import type { Config } from '../config';
import type { Actor } from '../domain/actor';
import type { AccessPasses } from '../ports/access-passes';
import type { AccessoryStock } from '../ports/accessory-stock';
import type { Autopilot } from '../ports/autopilot';
import type { DepartureGuard } from '../ports/departure-guard';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { LaptopPool } from '../ports/laptop-pool';
import type { MessageBus } from '../ports/message-bus';
import type { Notifier } from '../ports/notifier';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { Connectors, Provisioners } from '../ports/provisioners';
import type { ReadinessCheck } from '../ports/readiness';
import type { RejectedMessageStore } from '../ports/rejected-messages';
import type { TokenValidator } from '../ports/token-validator';
import type { Onboarding } from '../schemas/onboarding';
import type { AccessoryUseCases } from './accessories';
import { createAccessories } from './accessories/accessory-stock';
import { createAccessoryStep } from './accessories/accessory-step';
import { laptopStatusSchema, type LaptopStatus } from '../schemas/laptops';
import {
  createConfirmDepartures,
  createHandleDeparture,
  createScheduleDeparture,
  type ConfirmOutcome,
  type DepartureMessage,
} from './departures/departures';
import type { IntakeUseCases } from './intake';
import { createImportEquipmentRequests } from './intake/equipment-import';
import { createImportHires } from './intake/hr-import';
import { createIntake } from './intake/intake';
import type { LaptopUseCases } from './laptops';
import { createRequestAllocation } from './laptops/allocation-requests';
import { createHandOverLaptop } from './laptops/hand-over';
import { createLaptopStep } from './laptops/laptop-step';
import { createLaptopStock, createResumeLaptopSteps } from './laptops/laptop-stock';
import { createReturnLaptop } from './laptops/return-laptop';
import {
  createAnnounce,
  createDeliverNotification,
  type DeliveryOutcome,
  type QueuedNotification,
} from './notifications/notifications';
import type { OnboardingUseCases, ProvisioningUseCases } from './onboarding';
import { createIssueAccessPass } from './onboarding/access-pass';
import { createArrivals } from './onboarding/arrivals';
import { createHandleApprovalDeadline, createScheduleApprovalDeadlines } from './onboarding/approval-deadlines';
import { createDecideMany, createDecideOnboarding, createRetryOnboarding } from './onboarding/decide-onboarding';
import { createHandleHrEvent } from './onboarding/handle-hr-event';
import { createLeadTimes } from './onboarding/lead-times';
import { createChangePriority, createServeFreedSeat } from './onboarding/lifecycle';
import { createCorrectUpn } from './onboarding/correct-upn';
import { createListOnboardings, filterOf } from './onboarding/list-onboardings';
import { exportOnboardings } from './onboarding/onboarding-export';
import { createToHandle } from './onboarding/to-handle';
import { createUndoDecision } from './onboarding/undo-decision';
import { createOnboardingWriter } from './onboarding/onboarding-writer';
import { createRunStepCommand } from './onboarding/run-step-command';
import { Admission } from './operations/admission';
import { createRejectedMessages, type RejectedMessages } from './operations/rejected-messages';
import { createRetention, type Retention } from './operations/retention';
import { createSweeper } from './operations/sweeper';
import { createForecast, type ForecastWithReturns } from './reports/forecast';
import { createReports, type SummaryReport } from './reports/reports';

/** The first day a report covers when none is given: before any onboarding. */
const ALL_TIME = '2000-01-01';

/** The adapters a host provides (the Azure composition root, and the local host's). */
export interface Ports {
  config: Config;
  clock: Clock;
  store: OnboardingStore;
  laptops: LaptopPool;
  /** The counted accessories (headsets, webcams...). */
  accessories: AccessoryStock;
  bus: MessageBus;
  directory: Directory;
  /** How many departures went through within the last hour (the guard against mass departures). */
  departureGuard: DepartureGuard;
  /** Windows Autopilot: which user a laptop is set up for. */
  autopilot: Autopilot;
  /** Temporary Access Passes for a first sign-in from home. */
  accessPasses: AccessPasses;
  /** The steps made in the tenant (VPN, licence, Teams). */
  connectors: Connectors;
  rejected: RejectedMessageStore;
  tokenValidator: TokenValidator;
  /** The DSI's Teams channel; null: notifications are off (not configured). */
  notifier: Notifier | null;
  /** What GET /api/health/ready checks (functions/readiness.ts). */
  readiness: readonly ReadinessCheck[];
}

/**
 * The use cases, by slice, as the functions (and the local host) reach them: each function calls one of them,
 * never a store, the bus or a connector itself.
 */
export interface Services {
  /** The settings (read-only): what a function needs of them (the delivery count, the console's sign-in). */
  config: Config;
  tokenValidator: TokenValidator;
  /** How many API requests this instance works on at once (503 past it). */
  admission: Admission;
  readiness: readonly ReadinessCheck[];
  onboardings: OnboardingUseCases;
  provisioning: ProvisioningUseCases;
  intake: IntakeUseCases;
  laptops: LaptopUseCases;
  accessories: AccessoryUseCases;
  departures: {
    handle(due: DepartureMessage): Promise<Onboarding | null>;
    /** Departures the guard held, confirmed by a person: each runs as usual from now on. */
    confirm(onboardingIds: readonly string[], by: Actor): Promise<ConfirmOutcome[]>;
  };
  notifications: { deliver(queued: QueuedNotification): Promise<DeliveryOutcome> };
  reports: {
    /** Over the onboardings created between the two days, inclusive (default: from the start, to today). */
    summary(from: string | undefined, to: string | undefined): Promise<SummaryReport>;
    forecast(): Promise<ForecastWithReturns>;
  };
  operations: {
    /** The sweeper's pass: what a lost message or a worker stopped mid-way left behind. */
    sweep(): ReturnType<ReturnType<typeof createSweeper>>;
    retention: Retention;
    rejectedMessages: RejectedMessages;
  };
}

/** The use cases, built once per worker over the ports. */
export function createServices(ports: Ports): Services {
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
  // Every step: those made in the tenant (connectors), and the laptop, served from the stock.
  const provisioners: Provisioners = {
    ...ports.connectors,
    laptop: createLaptopStep({ laptops, autopilot: ports.autopilot, requestAllocation }),
    accessories: createAccessoryStep({ stock: ports.accessories, requestAllocation }),
  };
  const accessories = createAccessories({ stock: ports.accessories, store, bus, clock, requestAllocation });
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
  const teams = config.Provisioning__departmentTeams;
  const handleHrEvent = createHandleHrEvent({
    store,
    writer,
    bus,
    clock,
    directory,
    laptops,
    announce,
    scheduleDeparture,
    leadTimes,
    scheduleApprovalDeadlines: createScheduleApprovalDeadlines(bus, {
      reminderAfter: config.Approval__reminderAfter,
      expiresAfter: config.Approval__expiresAfter,
    }),
    replanLaptop,
    hasTeam: (department) => teams[department] !== undefined,
    departureGuard: { guard: ports.departureGuard, maxPerHour: config.Safety__maxDeparturesPerHour },
  });
  const reports = createReports({ store });
  const forecast = createForecast({ store, laptops, accessories: ports.accessories, directory, clock });
  const appliedEvents = (employeeIds: readonly string[]) => store.appliedEvents(employeeIds);
  const toHandle = createToHandle({ store, clock, expiresAfter: config.Approval__expiresAfter });
  const rejectedMessages = createRejectedMessages({ store: ports.rejected, bus, clock });
  return {
    config,
    tokenValidator: ports.tokenValidator,
    admission: new Admission(config.Http__maxRequestsInFlight),
    readiness: ports.readiness,
    onboardings: {
      list: createListOnboardings({ store }),
      counts: (options) => toHandle.counts(options),
      toHandle: (limit) => toHandle.list(limit),
      get: async (id) => (await store.get(id))?.value ?? null,
      history: async (id) => (await store.get(id))?.value.history ?? null,
      export: (query, format) => exportOnboardings(store, filterOf(query), format),
      decide: decideOnboarding,
      decideMany: createDecideMany(decideOnboarding),
      retry: createRetryOnboarding({ writer, clock }),
      arrivals: createArrivals({ store, directory, forecast, clock }),
      issueAccessPass: createIssueAccessPass({
        store,
        writer,
        accessPasses: ports.accessPasses,
        clock,
        lifetimeInMinutes: config.Provisioning__accessPassMinutes,
      }),
      changePriority: createChangePriority({ writer, clock, replanLaptop }),
      correctUpn: createCorrectUpn({ writer, clock, directory }),
      undoDecision: createUndoDecision({ store, writer, clock, undoMinutes: config.Approval__undoMinutes }),
      handleApprovalDeadline: createHandleApprovalDeadline({ writer, clock }),
    },
    provisioning: {
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
    },
    intake: createIntake({
      bus,
      clock,
      handleHrEvent,
      imports: {
        importHires: createImportHires({ bus, laptops, directory, clock, appliedEvents }),
        importEquipmentRequests: createImportEquipmentRequests({ bus, laptops, directory, clock, appliedEvents }),
      },
    }),
    laptops: {
      add: (body) => laptopStock.add(body),
      list: (options) => laptopStock.list(options),
      handOver: createHandOverLaptop({ laptops, store, writer, clock }),
      returnLaptop: createReturnLaptop({
        laptops,
        accessories: ports.accessories,
        writer,
        autopilot: ports.autopilot,
        clock,
        requestAllocation,
      }),
      pass: () => laptopStock.pass(),
      counts: async () => {
        const counts = await Promise.all(laptopStatusSchema.options.map((s) => laptops.count(s)));
        return Object.fromEntries(laptopStatusSchema.options.map((s, i) => [s, counts[i] ?? 0])) as Record<
          LaptopStatus,
          number
        >;
      },
      deliveries: {
        add: (body) => laptops.addDelivery(body),
        remove: (id) => laptops.removeDelivery(id),
        list: () => laptops.deliveries(),
      },
    },
    accessories: {
      add: (body) => accessories.add(body),
      list: () => accessories.list(),
      pass: () => accessories.pass(),
    },
    departures: {
      handle: createHandleDeparture({ store, writer, laptops, clock, scheduleDeparture }),
      confirm: createConfirmDepartures({ writer, clock, scheduleDeparture }),
    },
    notifications: {
      deliver: createDeliverNotification({
        store,
        notifier: ports.notifier,
        bus,
        clock,
        consoleUrl: config.Console__publicUrl ?? 'http://127.0.0.1:7071/',
        retry: { maxAttempts: 10, baseSeconds: config.Notifications__retryBaseSeconds, maxSeconds: 1800 },
      }),
    },
    reports: {
      summary: (from, to) => reports.summary(from ?? ALL_TIME, to ?? clock.now().toISOString().slice(0, 10)),
      forecast,
    },
    operations: {
      sweep: createSweeper({ store, writer, laptopStock, accessories, bus, clock, config }),
      retention: createRetention({ store, clock, retention: config.Retention__personalData }),
      rejectedMessages,
    },
  };
}

/** How function handlers reach the services: built lazily, once per worker. */
export type ServicesProvider = () => Promise<Services>;
