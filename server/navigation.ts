import type { Role } from './types';

export interface NavItem {
  href: string;
  /** i18n key */
  label: string;
  roles: readonly Role[];
}

/** Main-menu entries per role. Each module adds its entries here. */
export const navigation: NavItem[] = [
  { href: '/learn', label: 'learning.nav.learn', roles: ['journalist'] },
  { href: '/trainer/courses', label: 'learning.nav.courses', roles: ['trainer', 'admin'] },
  { href: '/trainer/cohorts', label: 'learning.nav.cohorts', roles: ['trainer', 'admin'] },
  { href: '/admin/users', label: 'common.nav.users', roles: ['admin'] },
  { href: '/admin/outbox', label: 'common.nav.outbox', roles: ['admin'] },
  { href: '/admin/audit', label: 'audit.nav', roles: ['admin'] },
  { href: '/certificates', label: 'certificates.nav.mine', roles: ['journalist'] },
  { href: '/trainer/certificates', label: 'certificates.nav.manage', roles: ['trainer', 'admin'] },
  { href: '/reports', label: 'reports.nav', roles: ['trainer', 'admin'] },
  { href: '/grants', label: 'grants.nav.grants', roles: ['journalist'] },
  { href: '/admin/calls', label: 'grants.nav.calls', roles: ['admin'] },
  { href: '/reviews', label: 'reviews.nav.reviews', roles: ['reviewer'] },
  { href: '/awards', label: 'awards.nav.awards', roles: ['journalist'] },
  { href: '/admin/awards', label: 'awards.nav.adminAwards', roles: ['admin'] },
  { href: '/admin/api-tokens', label: 'interop.nav', roles: ['admin'] },
  { href: '/admin/lti', label: 'interop.lti.nav', roles: ['admin'] },
  { href: '/admin/xapi', label: 'interop.xapi.nav', roles: ['admin'] },
];

export const navFor = (role: Role | undefined): NavItem[] =>
  role ? navigation.filter((n) => n.roles.includes(role)) : [];
