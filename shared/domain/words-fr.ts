import type { Priority } from '../schemas/hr-events';
import type { LaptopStatus } from '../schemas/laptops';
import type { OnboardingKind, OnboardingStatus, StepName, StepStatus, WaitingOn } from '../schemas/onboarding';

/**
 * The service's values as the DSI says them in French: what the French Excel export writes and the web
 * console shows (its English words are its own). Complete by the type checker: a status the schemas add is a
 * type error here until it is named.
 */
export const FR = {
  onboardingStatus: {
    'awaiting-approval': 'en attente de validation',
    provisioning: 'en cours d’équipement',
    completed: 'équipé',
    rejected: 'refusé',
    cancelled: 'annulé',
    'needs-attention': 'en échec',
    leaving: 'départ prévu',
    left: 'parti',
  } satisfies Record<OnboardingStatus, string>,
  stepStatus: {
    pending: 'à faire',
    'in-progress': 'en cours',
    waiting: 'en attente',
    done: 'fait',
    failed: 'en échec',
    skipped: 'sans objet',
    reverted: 'retiré',
    returning: 'à rendre',
  } satisfies Record<StepStatus, string>,
  laptopStatus: {
    available: 'disponible',
    reserved: 'réservé',
    assigned: 'attribué',
    'to-return': 'à rendre',
    repair: 'en réparation',
  } satisfies Record<LaptopStatus, string>,
  step: {
    laptop: 'Ordinateur portable',
    vpn: 'VPN',
    officeLicense: 'Licence Microsoft 365',
    teams: 'Équipe Teams',
    accessories: 'Accessoires',
  } satisfies Record<StepName, string>,
  waitingOn: {
    account: 'compte introuvable dans l’annuaire',
    laptop: 'dans la file pour un portable',
    seat: 'attend une licence libre',
    accessory: 'attend un accessoire',
    day: 'attend son jour',
  } satisfies Record<WaitingOn, string>,
  kind: { hire: 'arrivée', equipment: 'agent en poste' } satisfies Record<OnboardingKind, string>,
  priority: { continuity: 'PCA', standard: 'standard' } satisfies Record<Priority, string>,
  decision: { approve: 'validée', reject: 'refusée' } satisfies Record<'approve' | 'reject', string>,
};
