/**
 * What the service needs to work, each checked the way it is used: the Cosmos DB data role, the Service Bus send
 * role, a Microsoft Graph token holding the granted permissions, the secrets the platform resolves. A check
 * resolves when it holds and throws (saying why, for the logs) when it does not; it must not change anything.
 */
export interface ReadinessCheck {
  /** For the logs: `cosmos`, `serviceBus`, `graph`, `settings`... */
  name: string;
  check(signal: AbortSignal): Promise<void>;
}
