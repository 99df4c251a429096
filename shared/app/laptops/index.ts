import type { Actor } from '../../domain/actor';
import type { LaptopPage } from '../../ports/laptop-pool';
import type {
  AddLaptopsBody,
  Delivery,
  DeliveryBody,
  HandoverBody,
  Laptop,
  LaptopReturnBody,
  LaptopStatus,
} from '../../schemas/laptops';

/** The laptop stock (the API's laptop routes, and the pool's allocator). */
export interface LaptopUseCases {
  /** Adds what is not known yet; the line is served at once. */
  add(body: AddLaptopsBody): Promise<{ added: number; skipped: string[] }>;
  list(options: {
    status?: LaptopStatus;
    handedOver?: boolean;
    limit: number;
    continuationToken?: string;
  }): Promise<LaptopPage>;
  /** The laptop assigned to an onboarding reaches its agent; the device it replaces is expected back. */
  handOver(serialNumber: string, body: HandoverBody, by: Actor): Promise<Laptop>;
  /** A laptop back at the DSI (`to-return` or `repair`): `ok` in stock again, `repair` kept out. */
  returnLaptop(serialNumber: string, body: LaptopReturnBody, by: Actor): Promise<Laptop>;
  /** One allocation pass of the pool (only its allocator runs it: one session, one pass at a time). */
  pass(): Promise<{ waiting: number; reserved: number }>;
  /** How many laptops there are in each status. */
  counts(): Promise<Record<LaptopStatus, number>>;
  /** Expected deliveries, which the forecast counts until they are withdrawn. */
  deliveries: {
    add(body: DeliveryBody): Promise<Delivery>;
    remove(id: string): Promise<boolean>;
    list(): Promise<Delivery[]>;
  };
}
