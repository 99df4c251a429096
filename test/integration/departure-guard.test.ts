import { CosmosDepartureGuard } from '../../shared/adapters/cosmos/cosmos-departure-guard';
import { EmbeddedCosmos } from '../../local/embedded-cosmos';

// The guard's count, on the embedded Cosmos DB endpoint: one small document changed with its etag, so that
// departures counted at once never both take the last place.

let cosmos: EmbeddedCosmos;
beforeAll(async () => {
  cosmos = await EmbeddedCosmos.start('guard');
});
afterAll(() => cosmos.stop());

describe('the departure guard', () => {
  it('when 30 departures are counted at once against 25 an hour, then exactly 25 go through; one counted again still does; an hour later more do', async () => {
    const guard = new CosmosDepartureGuard(cosmos.database);
    const at = new Date('2026-12-01T22:00:00.000Z');
    const admitted = await Promise.all(Array.from({ length: 30 }, (_, i) => guard.admit(`L${i}.1`, at, 25)));
    expect(admitted.filter(Boolean)).toHaveLength(25);
    const first = admitted.indexOf(true);
    expect(await guard.admit(`L${first}.1`, at, 25)).toBe(true);
    const refused = admitted.indexOf(false);
    expect(await guard.admit(`L${refused}.1`, new Date(at.getTime() + 30 * 60_000), 25)).toBe(false);
    expect(await guard.admit(`L${refused}.1`, new Date(at.getTime() + 61 * 60_000), 25)).toBe(true);
  });
});
