import type { Counts, Role } from './api';
import type { View } from './context';
import { t } from './i18n';
import { ApprovalsView } from './views/approvals';
import { ArrivalsView } from './views/arrivals';
import { IntakeView } from './views/intake';
import { OnboardingsView } from './views/onboardings';
import { ReportsView } from './views/reports';
import { StockView } from './views/stock';
import { TimelineView } from './views/timeline';
import { ToHandleView } from './views/to-handle';

/**
 * A screen of the console, described once: its address, its tab, who sees it, the count its tab shows, how it
 * is built, and the record it opens under its address (`#/onboardings/<id>`). The navigation, the router and the
 * tabs' counts read this list and nothing else: a screen is added here.
 * « Mes arrivées » is everyone's (`audience: 'anyone'`): the only screen of a person with no role of the API.
 */
export interface Screen {
  path: string;
  label: () => string;
  /** Who sees it: a person holding any of these roles, or every signed-in person. */
  audience: readonly Role[] | 'anyone';
  /** The number its tab shows, from the counts. */
  badge?: (counts: Counts) => number;
  make: () => View;
  /** The record opened at `#/<path>/<id>`. */
  detail?: (id: string) => View;
}

const readers: Role[] = ['Onboarding.Approve', 'Onboarding.Read'];

export const SCREENS: readonly Screen[] = [
  {
    path: 'to-handle',
    label: () => t('navToHandle'),
    audience: readers,
    badge: (c) => c.toHandle,
    make: () => new ToHandleView(),
  },
  {
    path: 'approvals',
    label: () => t('navApprovals'),
    audience: readers,
    badge: (c) => c.byStatus['awaiting-approval'],
    make: () => new ApprovalsView(),
  },
  {
    path: 'onboardings',
    label: () => t('navOnboardings'),
    audience: readers,
    make: () => new OnboardingsView(),
    detail: (id) => TimelineView.of(id),
  },
  {
    path: 'stock',
    label: () => t('navStock'),
    audience: ['Inventory.Manage', 'Onboarding.Read', 'Onboarding.Approve'],
    make: () => new StockView(),
  },
  {
    path: 'intake',
    label: () => t('navIntake'),
    audience: ['HrEvents.Send', 'Onboarding.Approve'],
    make: () => new IntakeView(),
  },
  {
    path: 'reports',
    label: () => t('navReports'),
    audience: readers,
    make: () => new ReportsView(),
  },
  {
    path: 'arrivals',
    label: () => t('navArrivals'),
    audience: 'anyone',
    make: () => new ArrivalsView(),
  },
];

/** The custom elements of the screens, defined once. */
export function defineScreens(): void {
  const elements: [string, CustomElementConstructor][] = [
    ['dsi-to-handle', ToHandleView],
    ['dsi-approvals', ApprovalsView],
    ['dsi-onboardings', OnboardingsView],
    ['dsi-timeline', TimelineView],
    ['dsi-stock', StockView],
    ['dsi-intake', IntakeView],
    ['dsi-reports', ReportsView],
    ['dsi-arrivals', ArrivalsView],
  ];
  for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element);
}

/** The screens a person sees. */
export function screensFor(roles: readonly Role[]): Screen[] {
  return SCREENS.filter((s) => s.audience === 'anyone' || s.audience.some((r) => roles.includes(r)));
}
