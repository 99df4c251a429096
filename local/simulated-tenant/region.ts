import { createHash } from 'node:crypto';
import { objectIdFor } from '../dev-issuer';

/**
 * The Région's agents in post, as the simulated tenant holds them at first start (contract: « The Région's
 * directory, locally »): `agent0001@example.org` … with employee ids `A0001` …, a French given name and surname,
 * a department (« direction ») and a site of the Région Centre-Val de Loire, the Microsoft 365 licence and a
 * manager among them. The first three in four hold a laptop (an Autopilot identity `PC-A0001` … assigned to
 * them), the others a desktop (`DESKTOP-0713` …, an Autopilot identity too); about two in three are VPN members;
 * each department has its team. Everything comes from a fixed seed, so that tests can rely on it.
 *
 * The Graph shapes it follows:
 * - user properties `employeeId`, `department`, `officeLocation` (the site), `jobTitle`, `usageLocation`
 *   (https://learn.microsoft.com/graph/api/resources/user);
 * - the `manager` relationship, one user per user (https://learn.microsoft.com/graph/api/user-list-manager): every
 *   agent has one but agent0001, the directeur général des services at the top (GET …/manager answers 404 for him,
 *   as Graph does for a user without a manager);
 * - Windows Autopilot device identities with their assigned user
 *   (https://learn.microsoft.com/graph/api/resources/intune-enrollment-windowsautopilotdeviceidentity);
 * - a team is a Microsoft 365 group with `resourceProvisioningOptions: ["Team"]`, its director an owner
 *   (https://learn.microsoft.com/graph/api/resources/team, https://learn.microsoft.com/graph/api/resources/conversationmember).
 */

export interface RegionOptions {
  /** Agents in post (0: an empty directory). At most 9,999 (four-digit ids). */
  agents: number;
  /** How many of the first agents hold a laptop. Default: three in four. */
  withLaptop?: number;
  /** How many of the first agents are VPN members. Default: 650 of 950, in proportion. */
  vpnMembers?: number;
}

export interface RegionAgent {
  /** 1-based position: agent0001 is 1. */
  index: number;
  id: string;
  userPrincipalName: string;
  employeeId: string;
  givenName: string;
  surname: string;
  displayName: string;
  department: string;
  /** The site (Graph's `officeLocation`). */
  site: string;
  jobTitle: string;
  /** The manager's object id (null for agent0001, at the top). */
  managerId: string | null;
}

/** A device an agent in post holds, as the laptop stock and Autopilot know it. */
export interface RegionDevice {
  serialNumber: string;
  model: string;
  manufacturer: string;
  site: string;
  userPrincipalName: string;
  employeeId: string;
  /** The agent's display name (Autopilot's `addressableUserName`). */
  displayName: string;
}

export interface RegionTeam {
  id: string;
  displayName: string;
  description: string;
  department: string;
  /** The department's agents; its director is an owner. */
  members: { userId: string; roles: string[] }[];
}

export interface RegionSeed {
  agents: RegionAgent[];
  laptops: RegionDevice[];
  desktops: RegionDevice[];
  teams: RegionTeam[];
  /** Object ids of the VPN group's members. */
  vpnMembers: string[];
}

export const REGION_DOMAIN = 'example.org';
export const MAX_REGION_AGENTS = 9999;
/** The contract's figures at the default size: 950 agents, 712 laptops, 650 VPN members. */
export const DEFAULT_REGION = { agents: 950, withLaptop: 712, vpnMembers: 650 } as const;
const SEED = 0x43564c; // « CVL »

/** Departments of the Région and their share of the agents (about 14, as a regional council's « directions »). */
const DEPARTMENTS: readonly [string, number][] = [
  ['Direction générale des services', 2],
  ['Direction des lycées', 16],
  ['Direction des transports et de la mobilité', 12],
  ['Direction du numérique', 8],
  ['Direction des finances', 7],
  ['Direction des ressources humaines', 7],
  ["Direction de l'agriculture", 5],
  ['Direction de la culture', 6],
  ["Direction de l'aménagement du territoire", 7],
  ["Direction de l'économie et de l'innovation", 6],
  ["Direction de l'environnement et de la transition énergétique", 6],
  ["Direction de la formation professionnelle et de l'apprentissage", 8],
  ["Direction de l'enseignement supérieur et de la recherche", 4],
  ['Direction des affaires juridiques et de la commande publique', 6],
];

/** Sites of the Région Centre-Val de Loire: the Hôtel de Région in Orléans for most, then the antennas. */
const SITES: readonly [string, number][] = [
  ['Orléans', 64],
  ['Tours', 11],
  ['Bourges', 7],
  ['Chartres', 6],
  ['Blois', 6],
  ['Châteauroux', 6],
];

/** Names written as text, one space apart (a compound name keeps its hyphen). */
function words(text: string): readonly string[] {
  return text.split(/\s+/).filter(Boolean);
}

const WOMEN = words(`
  Camille Marie Nathalie Isabelle Sylvie Catherine Sophie Céline Sandrine Valérie Christine Stéphanie
  Aurélie Julie Émilie Élodie Laetitia Virginie Hélène Anne Claire Caroline Delphine Karine Audrey
  Mélanie Pauline Laura Manon Léa Chloé Emma Sarah Amandine Agnès Brigitte Florence Martine Patricia
  Véronique Géraldine Mathilde Charlotte Juliette Inès Maëlle Noémie Océane Clémence Solène
`);
const MEN = words(`
  Thomas Nicolas Julien Sébastien Christophe Stéphane David Frédéric Laurent Philippe Olivier Pierre
  Jean Michel Éric François Alexandre Antoine Maxime Guillaume Jérôme Vincent Cédric Mathieu Romain
  Benoît Fabrice Thierry Patrick Pascal Yannick Hervé Bruno Didier Grégory Damien Arnaud Loïc Hugo
  Lucas Théo Baptiste Quentin Adrien Florian Rémi Jérémy Gaëtan Mickaël Jean-Luc
`);
const SURNAMES = words(`
  Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre Leroy
  Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller
  Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia
  Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont
  Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard
  Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre
  Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet
  Rolland Leclercq Guillaume Lecomte Chevallier Hubert Charpentier Besnard Tessier Pelletier Cordier
  Foucher Boulanger Launay
`);

/** Laptops in post: the models the DSI bought over the years (Autopilot's `model` and `manufacturer`). */
const LAPTOP_MODELS: readonly [string, string][] = [
  ['Latitude 5440', 'Dell Inc.'],
  ['Latitude 5430', 'Dell Inc.'],
  ['EliteBook 840 G9', 'HP'],
  ['ThinkPad T14 Gen 3', 'LENOVO'],
];
const DESKTOP_MODEL: [string, string] = ['OptiPlex 7010', 'Dell Inc.'];
/** Agents a chef de service manages, about. */
const SERVICE_SIZE = 9;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(entries: readonly [T, number][], random: () => number): T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of entries) {
    r -= w;
    if (r < 0) return value;
  }
  return (entries.at(-1) as [T, number])[0];
}

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)] as T;
}

/** A GUID from a text (the ids Graph would have given these objects), stable across starts. */
export function guidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The team of a department: its group id, stable across starts. */
export function regionTeamId(department: string): string {
  return guidFrom(`region-team:${department}`);
}

export function agentUpn(index: number): string {
  return `agent${String(index).padStart(4, '0')}@${REGION_DOMAIN}`;
}

export function agentEmployeeId(index: number): string {
  return `A${String(index).padStart(4, '0')}`;
}

/** The laptop of an agent in post: `PC-` and the employee id (PC-A0001), so that a serial says whose it is. */
export function laptopSerial(index: number): string {
  return `PC-${agentEmployeeId(index)}`;
}

/** The desktop of an agent in post, numbered as the agent is (DESKTOP-0713 is agent0713's). */
export function desktopSerial(index: number): string {
  return `DESKTOP-${String(index).padStart(4, '0')}`;
}

/** The figures the options give: laptops three in four, VPN members 650 of 950 (in proportion), within the agents. */
export function regionFigures(options: RegionOptions): { agents: number; withLaptop: number; vpnMembers: number } {
  const agents = Math.max(0, Math.min(MAX_REGION_AGENTS, Math.floor(options.agents)));
  const withLaptop = Math.min(agents, options.withLaptop ?? Math.floor((agents * 3) / 4));
  const vpnMembers = Math.min(
    agents,
    options.vpnMembers ?? Math.round((agents * DEFAULT_REGION.vpnMembers) / DEFAULT_REGION.agents),
  );
  return { agents, withLaptop, vpnMembers };
}

function title(role: 'dgs' | 'director' | 'chef' | 'agent', woman: boolean, department: string, i: number): string {
  if (role === 'dgs') return woman ? 'Directrice générale des services' : 'Directeur général des services';
  if (role === 'director') return department.replace(/^Direction/, woman ? 'Directrice' : 'Directeur');
  if (role === 'chef') return woman ? 'Cheffe de service' : 'Chef de service';
  const titles = woman
    ? ['Chargée de mission', 'Gestionnaire', 'Assistante de direction', 'Instructrice', 'Chargée d’études']
    : ['Chargé de mission', 'Gestionnaire', 'Assistant de direction', 'Instructeur', 'Chargé d’études'];
  return titles[i % titles.length] as string;
}

/**
 * The Région's directory at first start: the agents, their devices, teams and VPN membership. Pure and
 * deterministic: the same options always give the same seed.
 */
export function regionSeed(options: RegionOptions): RegionSeed {
  const figures = regionFigures(options);
  const key = JSON.stringify(figures);
  const cached = seeds.get(key);
  if (cached) return cached;
  const seed = makeSeed(figures);
  // A host starts with one size; tests start many hosts with the same one.
  if (seeds.size > 4) seeds.clear();
  seeds.set(key, seed);
  return seed;
}

/** Seeds already made, by their figures: callers read them, never change them. */
const seeds = new Map<string, RegionSeed>();

function makeSeed({ agents: count, withLaptop, vpnMembers }: ReturnType<typeof regionFigures>): RegionSeed {
  const random = mulberry32(SEED);
  const agents: RegionAgent[] = [];
  /** Agents (by object id) whose titles are in the feminine. */
  const women = new Set<string>();
  for (let index = 1; index <= count; index++) {
    const woman = random() < 0.55;
    const givenName = pick(woman ? WOMEN : MEN, random);
    const surname = pick(SURNAMES, random);
    // agent0001 is the DGS, in the Direction générale des services; each other agent belongs to a direction.
    const department = index === 1 ? (DEPARTMENTS[0]?.[0] ?? '') : weighted(DEPARTMENTS, random);
    const site = index === 1 ? 'Orléans' : weighted(SITES, random);
    const upn = agentUpn(index);
    const id = objectIdFor(upn);
    if (woman) women.add(id);
    agents.push({
      index,
      id,
      userPrincipalName: upn,
      employeeId: agentEmployeeId(index),
      givenName,
      surname,
      displayName: `${givenName} ${surname}`,
      department,
      site,
      jobTitle: '', // set below, once the hierarchy is known
      managerId: null,
    });
  }

  // The hierarchy: the DGS at the top; in each direction its first agent is the director (managed by the DGS),
  // then one chef de service for about every SERVICE_SIZE agents (managed by the director), each agent managed by
  // the chef of the service they fall into.
  const dgs = agents[0];
  const byDepartment = new Map<string, RegionAgent[]>();
  for (const a of agents) {
    const members = byDepartment.get(a.department);
    if (members) members.push(a);
    else byDepartment.set(a.department, [a]);
  }
  const directors = new Set<string>();
  for (const [department, members] of byDepartment) {
    const [director, ...rest] = members;
    if (!director) continue;
    const woman = (a: RegionAgent) => women.has(a.id);
    if (director !== dgs) {
      director.managerId = dgs?.id ?? null;
      director.jobTitle = title('director', woman(director), department, 0);
    } else director.jobTitle = title('dgs', woman(director), department, 0);
    directors.add(director.id);
    const services = Math.max(1, Math.round(rest.length / (SERVICE_SIZE + 1)));
    const chefs = rest.slice(0, Math.min(services, rest.length));
    for (const chef of chefs) {
      chef.managerId = director.id;
      chef.jobTitle = title('chef', woman(chef), department, 0);
    }
    rest.slice(chefs.length).forEach((agent, i) => {
      agent.managerId = (chefs[i % Math.max(1, chefs.length)] ?? director).id;
      agent.jobTitle = title('agent', woman(agent), department, agent.index);
    });
  }

  const device = (a: RegionAgent, serialNumber: string, [model, manufacturer]: readonly [string, string]) => ({
    serialNumber,
    model,
    manufacturer,
    site: a.site,
    userPrincipalName: a.userPrincipalName,
    employeeId: a.employeeId,
    displayName: a.displayName,
  });
  const laptops = agents
    .slice(0, withLaptop)
    .map((a) => device(a, laptopSerial(a.index), LAPTOP_MODELS[a.index % LAPTOP_MODELS.length] ?? DESKTOP_MODEL));
  const desktops = agents.slice(withLaptop).map((a) => device(a, desktopSerial(a.index), DESKTOP_MODEL));

  const teams: RegionTeam[] = [...byDepartment].map(([department, members]) => ({
    id: regionTeamId(department),
    displayName: department,
    description: `L'équipe de la ${department.replace(/^Direction /, 'direction ')} (Région Centre-Val de Loire)`,
    department,
    members: members.map((a) => ({ userId: a.id, roles: directors.has(a.id) ? ['owner'] : [] })),
  }));
  return { agents, laptops, desktops, teams, vpnMembers: agents.slice(0, vpnMembers).map((a) => a.id) };
}

/**
 * What the product's laptop stock holds at first start: the laptops of the agents in post, each `assigned` to its
 * agent (the local host puts them in the stock; Autopilot already shows them assigned).
 */
export function regionLaptops(
  options: RegionOptions | undefined,
): { serialNumber: string; model: string; site: string; userPrincipalName: string; employeeId: string }[] {
  return options ? regionSeed(options).laptops.map(stockRecord) : [];
}

/** The desktops of the agents in post (the devices `replaces` names when a laptop takes their place). */
export function regionDesktops(
  options: RegionOptions | undefined,
): { serialNumber: string; model: string; site: string; userPrincipalName: string; employeeId: string }[] {
  return options ? regionSeed(options).desktops.map(stockRecord) : [];
}

/** Department → the team's group id, as the product's setting `Provisioning__departmentTeams` takes it. */
export function regionDepartmentTeams(options: RegionOptions | undefined): Record<string, string> {
  return Object.fromEntries((options ? regionSeed(options).teams : []).map((t) => [t.department, t.id]));
}

function stockRecord(d: RegionDevice) {
  return {
    serialNumber: d.serialNumber,
    model: d.model,
    site: d.site,
    userPrincipalName: d.userPrincipalName,
    employeeId: d.employeeId,
  };
}
