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
} as const;

export const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

const role = (r: string) => (roles: string[]) =>
  roles.some((x) => x === r || x.endsWith(`#${r}`) || x.endsWith(`/${r}`));

export const isLearner = role('Learner');
const isInstructor = role('Instructor');
const isAdministrator = role('Administrator');
const isContentDeveloper = role('ContentDeveloper');

/** Staff of the LMS course become trainers here, never admins; everyone else is a learner. */
export function mapRoles(roles: string[]): 'trainer' | 'journalist' {
  return isInstructor(roles) || isAdministrator(roles) || isContentDeveloper(roles)
    ? 'trainer'
    : 'journalist';
}
