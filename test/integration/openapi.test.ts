import { allFunctions } from '../../functions/all-functions';
import { loadOpenApi } from '../support/openapi';
import { buildHireJson } from '../support/factories';

const openApi = loadOpenApi();
const services = () => Promise.reject(new Error('not used'));

describe('openapi.yaml', () => {
  it('when the functions are listed, then every HTTP route and method is documented, and nothing else is', () => {
    const served = allFunctions(services)
      .flatMap((d) => (d.kind === 'http' && !d.root ? d.methods.map((m) => `${m} /${d.route}`) : []))
      .sort();
    const documented = openApi
      .operations()
      .map((o) => `${o.method} ${o.template}`)
      .sort();
    expect(documented).toEqual(served);
  });

  it('when an HR event of each type is checked, then the document accepts it, and refuses a bad one', () => {
    expect(() => openApi.validateRequest('POST', '/api/hr-events', buildHireJson())).not.toThrow();
    expect(() =>
      openApi.validateRequest('POST', '/api/hr-events', {
        eventId: 'c',
        type: 'employee.hire-cancelled',
        occurredAt: '2026-11-29T08:00:00Z',
        employee: { employeeId: 'E1' },
      }),
    ).not.toThrow();
    expect(() =>
      openApi.validateRequest('POST', '/api/hr-events', buildHireJson({ employee: { startDate: 'soon' } })),
    ).toThrow(/startDate/);
  });
});
