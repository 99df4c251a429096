import type { ApiHost } from './api-host';
import { buildHireJson } from './factories';
import { eventually } from './http-client';

// A morning of the DSI, as the console's tests and screenshots see it: the Région's agents in post (the host
// started with LOCAL_AGENTS=950), new agents awaiting approval with French names across the directions and
// sites, some equipped, some in line for a laptop, one whose upn HR mistyped, and a few leavers held by the
// guard against mass departures. Every change goes through the API, as HR and the DSI would make it.

export const DEPARTMENTS = [
  'Direction des lycées',
  'Direction des transports et de la mobilité',
  'Direction du numérique',
  'Direction des finances',
  'Direction de la culture',
  "Direction de l'économie et de l'innovation",
  'Direction des ressources humaines',
] as const;
export const SITES = ['Orléans', 'Tours', 'Bourges', 'Chartres', 'Blois', 'Châteauroux'] as const;

const GIVEN = [
  'Hélène',
  'Loïc',
  'Zoé',
  'Théo',
  'Chloé',
  'Maël',
  'Inès',
  'Noé',
  'Léa',
  'Jérôme',
  'Anaïs',
  'François',
  'Éloïse',
  'Cédric',
  'Margaux',
  'Aurélien',
  'Célia',
  'Grégoire',
  'Maëlys',
  'Benoît',
  'Solène',
  'Raphaël',
  'Agathe',
  'Timothée',
  'Clémence',
  'Gaëtan',
  'Joséphine',
  'Étienne',
  'Capucine',
  'Jérémie',
  'Mélanie',
  'Hugo',
  'Amélie',
  'Kévin',
  'Océane',
  'Mathéo',
  'Pénélope',
  'Bastien',
  'Léonie',
  'Yannick',
];
const SURNAMES = [
  'Lefèvre',
  'Bérubé',
  'Dupré',
  'Ménard',
  'Fontaine',
  'Garnier',
  'Rousseau',
  'Chevalier',
  'Lemaître',
  'Mercier',
  'Barbier',
  'Brunet',
  'Gauthier',
  'Perrin',
  'Morel',
  'Girard',
  'André',
  'Lefebvre',
  'Fabre',
  'Guérin',
  'Boyer',
  'Blanchard',
  'Joly',
  'Gaillard',
  'Lacroix',
  'Caron',
  'Renaud',
  'Aubert',
  'Picard',
  'Roche',
  'Noël',
  'Leclerc',
  'Dumont',
  'Meunier',
  'Hamon',
  'Bouchet',
  'Royer',
  'Charpentier',
  'Marchal',
  'Vidal',
];

/** A plain ascii upn of a name (as HR's system writes them). */
export function upnOf(given: string, surname: string, n: number): string {
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z]/g, '');
  return `${ascii(given)}.${ascii(surname)}${n > 0 ? n : ''}@example.org`;
}

export interface Hire {
  id: string;
  employeeId: string;
  displayName: string;
  userPrincipalName: string;
}

/** Hires `n` agents through POST /api/hr-events, each with a name, a direction, a site; the first `pca` under the plan. */
export async function hireMany(
  h: ApiHost,
  n: number,
  o: { from?: number; pca?: number; startDate?: (i: number) => string; needs?: Record<string, boolean> } = {},
): Promise<Hire[]> {
  const from = o.from ?? 0;
  const jsons = Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const given = GIVEN[i % GIVEN.length] ?? 'Camille';
    const surname = SURNAMES[(i * 7) % SURNAMES.length] ?? 'Martin';
    return buildHireJson({
      employee: {
        employeeId: `R${String(26000 + i)}`,
        givenName: given,
        surname,
        userPrincipalName: upnOf(given, surname, i),
        department: DEPARTMENTS[i % DEPARTMENTS.length],
        site: SITES[i % SITES.length],
        startDate: o.startDate?.(i) ?? `2026-12-${String(7 + (i % 14)).padStart(2, '0')}`,
        priority: k < (o.pca ?? 0) ? 'continuity' : 'standard',
      },
      ...(o.needs ? { needs: o.needs } : {}),
    });
  });
  for (const json of jsons) {
    const res = await h.api.post('/api/hr-events', json, h.hr);
    if (res.status !== 202) throw new Error(`hire refused: ${res.status}`);
  }
  const ids = jsons.map((j) => (j.employee as { employeeId: string }).employeeId);
  const found: Hire[] = [];
  for (const employeeId of ids) {
    const res = await eventually(
      () => h.api.get<{ items: Hire[] }>(`/api/onboardings?employeeId=${employeeId}`, h.chef),
      (r) => r.body.items.length > 0,
    );
    found.push(res.body.items[0]!);
  }
  return found;
}

/** Approves these onboardings as the DSI's lead, in one bulk request. */
export async function approve(h: ApiHost, hires: readonly Hire[]): Promise<void> {
  if (hires.length === 0) return;
  const res = await h.api.post<{ results: { status: number }[] }>(
    '/api/decisions',
    { decisions: hires.map((x) => ({ onboardingId: x.id, decision: 'approve' })) },
    h.chef,
  );
  if (!res.body.results.every((r) => r.status === 200)) throw new Error('an approval was refused');
}
