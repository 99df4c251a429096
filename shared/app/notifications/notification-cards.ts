import type { AdaptiveCard, TeamsMessage } from '../../ports/notifier';
import type { Priority } from '../../schemas/hr-events';
import type { StepName } from '../../schemas/onboarding';
import { withoutMisleadingCharacters } from '../../schemas/validation';
import { redact } from '../../telemetry/redaction';
import type { Notification } from './notifications';

/** What a card shows of one onboarding: ids and facts, never the agent's name or upn. */
export interface DigestItem {
  onboardingId: string;
  employeeId: string;
  department: string;
  priority: Priority;
  startDate: string;
  createdAt: string;
  /** A leaver's last day. */
  lastDay?: string;
}

const STEP_LABELS: Record<StepName, string> = {
  laptop: 'poste',
  vpn: 'VPN',
  officeLicense: 'licence Microsoft 365',
  teams: 'équipe Teams',
  accessories: 'accessoires',
};
const PRIORITY_LABELS: Record<Priority, string> = { continuity: 'PCA', standard: 'standard' };

/**
 * Free text from HR or Graph, shown as text: control characters and bidirectional overrides out (a reader
 * must see what is stored), and markdown escaped (a department cannot carry a link into the card).
 */
export function plainText(text: string): string {
  return withoutMisleadingCharacters(text).replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** DD/MM/YYYY, as the DSI reads dates. */
const frenchDate = (isoDate: string) => isoDate.slice(0, 10).split('-').reverse().join('/');

function link(consoleUrl: string, onboardingId: string): string {
  return new URL(`#/onboardings/${encodeURIComponent(onboardingId)}`, consoleUrl).toString();
}

function facts(item: DigestItem): Record<string, unknown> {
  return {
    type: 'FactSet',
    facts: [
      { title: 'Matricule', value: plainText(item.employeeId) },
      { title: 'Direction', value: plainText(item.department) },
      { title: 'Priorité', value: PRIORITY_LABELS[item.priority] },
      { title: "Date d'arrivée", value: frenchDate(item.startDate) },
    ],
  };
}

const title = (text: string, color?: 'Attention' | 'Good' | 'Warning') => ({
  type: 'TextBlock',
  text,
  weight: 'Bolder',
  size: 'Medium',
  wrap: true,
  ...(color ? { color } : {}),
});

const open = (label: string, url: string) => ({ type: 'Action.OpenUrl', title: label, url });

function message(body: Record<string, unknown>[], actions: Record<string, unknown>[]): TeamsMessage {
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    actions,
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

/** The Teams message of a notification (in French, the DSI's language), each linking to the console. */
export function cardFor(
  n: Notification,
  data: { consoleUrl: string; items?: DigestItem[]; more?: number; onboarding?: DigestItem },
): TeamsMessage {
  const { consoleUrl } = data;
  if (n.kind === 'awaiting-approval') {
    const items = data.items ?? [];
    const total = items.length + (data.more ?? 0);
    const lines = items.map(
      (i) =>
        `- [${plainText(i.employeeId)}](${link(consoleUrl, i.onboardingId)}) · ${plainText(i.department)} · ` +
        `${PRIORITY_LABELS[i.priority]} · arrivée le ${frenchDate(i.startDate)}`,
    );
    return message(
      [
        title(total === 1 ? '1 arrivée attend une approbation' : `${total} arrivées attendent une approbation`),
        { type: 'TextBlock', text: lines.join('\n'), wrap: true },
        ...(data.more ? [{ type: 'TextBlock', text: `… et ${data.more} autre(s).`, wrap: true }] : []),
      ],
      [open('Ouvrir les approbations', new URL('#/approvals', consoleUrl).toString())],
    );
  }
  if (n.kind === 'departures-held') {
    const items = data.items ?? [];
    const total = items.length + (data.more ?? 0);
    const lines = items.map(
      (i) =>
        `- [${plainText(i.employeeId)}](${link(consoleUrl, i.onboardingId)}) · ${plainText(i.department)}` +
        (i.lastDay ? ` · dernier jour le ${frenchDate(i.lastDay)}` : ''),
    );
    return message(
      [
        title(total === 1 ? '1 départ retenu' : `${total} départs retenus`, 'Attention'),
        {
          type: 'TextBlock',
          text:
            `Plus de ${n.maxPerHour} départs reçus en une heure : rien n'est retiré (VPN, licence, équipe) tant ` +
            "qu'une personne ne les a pas confirmés dans la console, ou que le SIRH ne les renvoie corrigés.",
          wrap: true,
        },
        { type: 'TextBlock', text: lines.join('\n'), wrap: true },
        ...(data.more ? [{ type: 'TextBlock', text: `… et ${data.more} autre(s).`, wrap: true }] : []),
      ],
      [open('Voir les départs retenus', new URL('#/onboardings?status=leaving', consoleUrl).toString())],
    );
  }
  const item = data.onboarding;
  if (!item) throw new Error(`a ${n.kind} card needs its onboarding`);
  const openIt = open("Ouvrir l'arrivée", link(consoleUrl, item.onboardingId));
  switch (n.kind) {
    case 'reminder':
      return message(
        [title(`Rappel : approbation en attente depuis le ${frenchDate(item.createdAt)}`, 'Warning'), facts(item)],
        [openIt],
      );
    case 'needs-attention':
      return message(
        [
          title(`Intervention requise : ${STEP_LABELS[n.step]}`, 'Attention'),
          facts(item),
          // The reason as Graph gave it, without the account it may name (the console shows it, signed in).
          { type: 'TextBlock', text: plainText(redact(n.reason)), wrap: true, isSubtle: true },
        ],
        [openIt],
      );
    case 'continuity-equipped':
      return message([title('Agent PCA équipé', 'Good'), facts(item)], [openIt]);
  }
}
