import type { Config } from '../config';
import type { TokenValidator } from '../adapters/auth/jwt-validator';
import type { Clock } from '../ports/clock';
import type { MessageBus } from '../ports/message-bus';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { Provisioners } from '../ports/provisioners';
import { createDecideOnboarding, createRetryOnboarding } from './decide-onboarding';
import { createHandleHrEvent } from './handle-hr-event';
import { createOnboardingWriter } from './onboarding-writer';
import { createRunStepCommand } from './run-step-command';

/** The adapters a host provides. */
export interface Ports {
  config: Config;
  clock: Clock;
  store: OnboardingStore;
  bus: MessageBus;
  provisioners: Provisioners;
  tokenValidator: TokenValidator;
}

/** The use cases, built once per worker over the ports. */
export function createServices(ports: Ports) {
  const { store, bus, clock, provisioners } = ports;
  const writer = createOnboardingWriter({ store, bus });
  return {
    ...ports,
    writer,
    handleHrEvent: createHandleHrEvent({ store, writer, clock }),
    decideOnboarding: createDecideOnboarding({ writer, clock }),
    retryOnboarding: createRetryOnboarding({ writer, clock }),
    runStepCommand: createRunStepCommand({ store, writer, provisioners, clock }),
  };
}
export type Services = ReturnType<typeof createServices>;

/** How function handlers reach the services: built lazily, once per worker. */
export type ServicesProvider = () => Promise<Services>;
