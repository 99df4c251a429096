import type { AccessoryCount, AddAccessoriesBody } from '../../schemas/accessories';

/** The counted stock of accessories (the API's routes, and the pool's allocator). */
export interface AccessoryUseCases {
  /** More of a kind at a site; the line is served at once. */
  add(body: AddAccessoriesBody): Promise<AccessoryCount>;
  /** Every kind at every site: available, reserved, given. */
  list(): Promise<AccessoryCount[]>;
  /** One accessory pass (only the pool's allocator runs it, after the laptops' pass: one at a time). */
  pass(): Promise<{ waiting: number; reserved: number }>;
}
