/** LTI 1.3 claim names and role URIs (IMS LTI Core 1.3, Deep Linking 2.0, AGS 2.0). */
export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

export const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

/**
 * The context (course membership) roles of a launch, as short names: `Instructor`, `Learner`,
 * `Instructor#TeachingAssistant`… Institution and system roles (`…/institution/person#Instructor`,
 * `…/system/person#Administrator`) say what someone is elsewhere in the LMS, not in this course, and
 * are left out. Simple names ("Learner") are context roles by LTI 1.3 §A.2.2.
 */
export function contextRoles(roles: string[]): string[] {
  return roles.flatMap((r) => {
    if (!r.includes('/')) return [r];
    if (r.startsWith(`${MEMBERSHIP}#`)) return [r.slice(MEMBERSHIP.length + 1)];
    if (r.startsWith(`${MEMBERSHIP}/`)) return [r.slice(MEMBERSHIP.length + 1)];
    return [];
  });
}

/** Who teaches the course: its instructors (teaching assistants included), administrators, authors. */
const STAFF = /^(Instructor|Administrator|ContentDeveloper|TeachingAssistant)(#|$)|#TeachingAssistant$/;

/** A learner of this course (a learner here who teaches elsewhere is still a learner here). */
export function isLearner(roles: string[]): boolean {
  return contextRoles(roles).some((r) => r === 'Learner' || r.startsWith('Learner#'));
}

/** Staff of the LMS course become trainers here, never admins; everyone else is a learner. */
export function mapRoles(roles: string[]): 'trainer' | 'journalist' {
  return contextRoles(roles).some((r) => STAFF.test(r)) ? 'trainer' : 'journalist';
}
