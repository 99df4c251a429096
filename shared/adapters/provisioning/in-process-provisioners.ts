import type { Onboarding } from '../../schemas/onboarding';
import type { Provisioner, Provisioners } from '../../ports/provisioners';

/** The state of the in-process tenant, as saved across a restart of the local host. */
export interface InProcessTenantState {
  vpnMembers: string[];
  licenseSeats: number;
  licensedUsers: string[];
  laptops: { serialNumber: string; onboardingId: string | null }[];
}

export interface InProcessTenantOptions {
  laptopStock: number;
  licenseSeats: number;
  recheckSeconds: number;
}

/**
 * Provisioning without Microsoft 365: VPN membership, licence seats and a laptop stock kept in memory.
 * It holds the same rules as the real connectors (check before acting, waiting when nothing is free).
 */
export class InProcessTenant {
  private readonly vpnMembers = new Set<string>();
  private readonly licensedUsers = new Set<string>();
  private licenseSeats: number;
  private readonly laptops: { serialNumber: string; onboardingId: string | null }[];

  constructor(
    private readonly options: InProcessTenantOptions,
    saved?: InProcessTenantState,
  ) {
    this.licenseSeats = saved?.licenseSeats ?? options.licenseSeats;
    saved?.vpnMembers.forEach((u) => this.vpnMembers.add(u));
    saved?.licensedUsers.forEach((u) => this.licensedUsers.add(u));
    this.laptops =
      saved?.laptops ??
      Array.from({ length: options.laptopStock }, (_, i) => ({
        serialNumber: `LOCAL-${String(i + 1).padStart(4, '0')}`,
        onboardingId: null,
      }));
  }

  snapshot(): InProcessTenantState {
    return {
      vpnMembers: [...this.vpnMembers],
      licenseSeats: this.licenseSeats,
      licensedUsers: [...this.licensedUsers],
      laptops: this.laptops.map((l) => ({ ...l })),
    };
  }

  isVpnMember(upn: string): boolean {
    return this.vpnMembers.has(upn.toLowerCase());
  }

  hasLicense(upn: string): boolean {
    return this.licensedUsers.has(upn.toLowerCase());
  }

  laptopOf(onboardingIdValue: string): string | undefined {
    return this.laptops.find((l) => l.onboardingId === onboardingIdValue)?.serialNumber;
  }

  provisioners(): Provisioners {
    const recheckAfterSeconds = this.options.recheckSeconds;
    const vpn: Provisioner = {
      step: 'vpn',
      provision: (o: Onboarding) => {
        this.vpnMembers.add(o.userPrincipalName.toLowerCase());
        return Promise.resolve({ kind: 'done' });
      },
      revert: (o: Onboarding) => {
        this.vpnMembers.delete(o.userPrincipalName.toLowerCase());
        return Promise.resolve();
      },
    };
    const officeLicense: Provisioner = {
      step: 'officeLicense',
      provision: (o: Onboarding) => {
        const upn = o.userPrincipalName.toLowerCase();
        if (this.licensedUsers.has(upn)) return Promise.resolve({ kind: 'done' });
        if (this.licensedUsers.size >= this.licenseSeats) {
          return Promise.resolve({ kind: 'waiting', detail: 'no licence seat free', recheckAfterSeconds });
        }
        this.licensedUsers.add(upn);
        return Promise.resolve({ kind: 'done' });
      },
      revert: (o: Onboarding) => {
        this.licensedUsers.delete(o.userPrincipalName.toLowerCase());
        return Promise.resolve();
      },
    };
    const laptop: Provisioner = {
      step: 'laptop',
      provision: (o: Onboarding) => {
        const laptopForOnboarding =
          this.laptops.find((l) => l.onboardingId === o.id) ?? this.laptops.find((l) => l.onboardingId === null);
        if (!laptopForOnboarding) {
          return Promise.resolve({ kind: 'waiting', detail: 'no laptop in stock', recheckAfterSeconds });
        }
        laptopForOnboarding.onboardingId = o.id;
        return Promise.resolve({ kind: 'done', serialNumber: laptopForOnboarding.serialNumber });
      },
      revert: (o: Onboarding) => {
        for (const l of this.laptops) if (l.onboardingId === o.id) l.onboardingId = null;
        return Promise.resolve();
      },
    };
    return { laptop, vpn, officeLicense };
  }
}
