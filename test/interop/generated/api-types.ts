// Generated from the OpenAPI document by `npm run api:types`. Do not edit.
export interface paths {
  '/calls': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Calls for pitches open now */
    get: operations['listOpenCalls'];
    put?: never;
    /** Create a call for pitches as a draft (an admin opens it) */
    post: operations['createCall'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/calls/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One call with its rubric and version (for an update) */
    get: operations['getCall'];
    /** Replace a draft or open call (the admin form rules); a closed call or a stale version is a 409 */
    put: operations['updateCall'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/calls/{id}/assignments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A call's reviewer assignments (no scores, comments or conflict reasons), paged by cursor */
    get: operations['listAssignments'];
    put?: never;
    /** Assign a reviewer to a pitch (reviewer role, outlet conflicts and duplicates are refused) */
    post: operations['createAssignment'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/calls/{id}/assignments/{assignment}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Remove an assignment whose review is not submitted */
    delete: operations['deleteAssignment'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/calls/{id}/awards': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A call's awards and their milestones, paged by cursor — empty until the decisions are released */
    get: operations['listAwards'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/calls/{id}/pitches': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Submitted pitches of a call with their status and, once released, their decision, paged by cursor */
    get: operations['listCallPitches'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/certificates/{code}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Verify a certificate by its code; the holder name only when they allow it */
    get: operations['verifyCertificate'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/courses': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Published courses */
    get: operations['listCourses'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/courses/{slug}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A published course with its objectives and lessons in order */
    get: operations['getCourse'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/courses/{slug}/attempts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Submitted quiz attempts in a course (pseudonymous user ids), paged by cursor */
    get: operations['listAttempts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/courses/{slug}/completion': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** How many trainees are enrolled, in progress and completed */
    get: operations['getCompletionSummary'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/courses/{slug}/enrolments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Progress of every trainee in a course (pseudonymous ids), paged by cursor */
    get: operations['listEnrolments'];
    put?: never;
    /** Enrol a journalist in a published course, optionally into one of its cohorts */
    post: operations['enrolInCourse'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/courses/{slug}/lessons/{lesson}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A published lesson with its blocks in both languages (Markdown source) */
    get: operations['getLesson'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Assignment: {
      dueAt: string | null;
      id: string;
      pitchId: string;
      respondedAt: string | null;
      /** @description The reviewer's user id */
      reviewerId: string;
      status: string;
    };
    /** @description A reviewer for a pitch, under the same rules as the admin assignments page */
    AssignmentRequest: {
      /** @description A day (the end of it) or a wall-clock time, in the call's time zone */
      dueAt?: string;
      pitchId: string;
      reviewerId: string;
    };
    Attempt: {
      attemptNo: number;
      id: string;
      passed: boolean;
      quizKey: string;
      score: number;
      submittedAt: string | null;
      /** @description The learner's id in this app, the same in every API response */
      userId: string;
    };
    Award: {
      amount: number;
      id: string;
      milestones: {
        /** Format: date-time */
        at: string;
        key: string;
      }[];
      pitchId: string;
      publishedAt: string | null;
      status: string;
      tranches: {
        amount: number;
        key: string;
        paidAt: string | null;
      }[];
    };
    /** @description A text in English and Mongolian */
    Bilingual: {
      en: string;
      mn: string;
    };
    Call: {
      /** Format: date-time */
      closesAt: string;
      currency: string;
      id: string;
      maxAward: number;
      /** Format: date-time */
      opensAt: string;
      timeZone: string;
      title: components['schemas']['Bilingual'];
    };
    CallDetail: {
      blind: boolean;
      budgetPool: number;
      /** Format: date-time */
      closesAt: string;
      currency: string;
      id: string;
      maxAward: number;
      /** Format: date-time */
      opensAt: string;
      reviewersPerPitch: number;
      rubric: {
        id: string;
        label: components['schemas']['Bilingual'];
        scaleMax: number;
        weight: number;
      }[];
      status: string;
      timeZone: string;
      title: components['schemas']['Bilingual'];
      version: number;
    };
    /** @description A call for pitches: the same fields and rules as the admin call form */
    CallRequest: {
      allowMultiplePitches: boolean;
      blind: boolean;
      budgetPool: number;
      /** @description Wall-clock time in the call's timeZone, e.g. 2027-03-01T09:00 */
      closesAt: string;
      /** @description Applicants must have completed this course */
      courseSlug?: string;
      /** @enum {string} */
      deadlineMode: 'fixed' | 'rolling';
      description?: {
        en: string;
        mn: string;
      };
      maxAward: number;
      /** @description Wall-clock time in the call's timeZone, e.g. 2027-03-01T09:00 */
      opensAt: string;
      reviewersPerPitch: number;
      rubric: {
        guidance?: {
          en: string;
          mn: string;
        };
        id: string;
        label: {
          en: string;
          mn: string;
        };
        scaleMax: number;
        weight: number;
      }[];
      themes: {
        id: string;
        label: {
          en: string;
          mn: string;
        };
      }[];
      /** @description An IANA time zone, e.g. Asia/Ulaanbaatar */
      timeZone: string;
      title: {
        en: string;
        mn: string;
      };
      /** @description On update: the version read; a newer one is a 409 */
      version?: number;
    };
    Certificate: {
      code: string;
      courseTitle: components['schemas']['Bilingual'];
      holderName: string | null;
      /** Format: date-time */
      issuedAt: string;
      revokedAt: string | null;
      /** @enum {string} */
      status: 'valid' | 'revoked';
    };
    Course: {
      lessons: {
        minutes: number;
        slug: string;
        title: components['schemas']['Bilingual'];
      }[];
      objectives: {
        id: string;
        label: components['schemas']['Bilingual'];
      }[];
      slug: string;
      title: components['schemas']['Bilingual'];
    };
    CourseSummary: {
      lessonCount: number;
      slug: string;
      summary: components['schemas']['Bilingual'];
      title: components['schemas']['Bilingual'];
    };
    Enrolment: {
      completedAt: string | null;
      id: string;
      lessonsViewed: number;
      quizzesPassed: string[];
      startedAt: string | null;
      /** @enum {string} */
      status: 'enrolled' | 'in_progress' | 'completed';
      /** @description The learner's id in this app, the same in every API response */
      userId: string;
    };
    /** @description An enrolment to make: one of userId or email, and optionally a cohort of the course */
    EnrolmentRequest: {
      /** @description One of the course's cohorts; the trainee joins it */
      cohortId?: string;
      /** Format: email */
      email?: string;
      /** @description The learner's id in this app, the same in every API response */
      userId?: string;
    };
    EnrolmentResult: {
      cohortId: string | null;
      course: string;
      /** @description False when the person was already enrolled (nothing duplicated) */
      created: boolean;
      enrolledAt: string | null;
      id: string;
      /** @enum {string} */
      status: 'enrolled' | 'in_progress' | 'completed';
      /** @description The learner's id in this app, the same in every API response */
      userId: string;
    };
    Error: {
      error: {
        code: string;
        details?: {
          [key: string]: string;
        };
        message: string;
        requestId?: string;
        status: number;
      };
    };
  };
  responses: {
    /** @description Error */
    Error: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Too many requests for this token: retry after the number of seconds given */
    RateLimited: {
      headers: {
        /** @description Seconds to wait */
        'Retry-After'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listOpenCalls: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: components['schemas']['Call'][];
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  createCall: {
    parameters: {
      query?: never;
      header?: {
        /** @description Any unique string (1–255 printable characters). Retrying with the same key and body returns the first answer (marked Idempotent-Replayed: true) without acting twice; the same key with another request is a 422. Keys are kept for 24 hours. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CallRequest'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CallDetail'];
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CallDetail'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      415: components['responses']['Error'];
      422: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  getCall: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CallDetail'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  updateCall: {
    parameters: {
      query?: never;
      header?: {
        /** @description Any unique string (1–255 printable characters). Retrying with the same key and body returns the first answer (marked Idempotent-Replayed: true) without acting twice; the same key with another request is a 422. Keys are kept for 24 hours. */
        'Idempotency-Key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CallRequest'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CallDetail'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      415: components['responses']['Error'];
      422: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  listAssignments: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: components['schemas']['Assignment'][];
            /** @description Pass as ?cursor= for the next page; null on the last page */
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  createAssignment: {
    parameters: {
      query?: never;
      header?: {
        /** @description Any unique string (1–255 printable characters). Retrying with the same key and body returns the first answer (marked Idempotent-Replayed: true) without acting twice; the same key with another request is a 422. Keys are kept for 24 hours. */
        'Idempotency-Key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AssignmentRequest'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Assignment'];
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Assignment'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      415: components['responses']['Error'];
      422: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  deleteAssignment: {
    parameters: {
      query?: never;
      header?: {
        /** @description Any unique string (1–255 printable characters). Retrying with the same key and body returns the first answer (marked Idempotent-Replayed: true) without acting twice; the same key with another request is a 422. Keys are kept for 24 hours. */
        'Idempotency-Key'?: string;
      };
      path: {
        assignment: string;
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @constant */
            removed: true;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      415: components['responses']['Error'];
      422: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  listAwards: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: components['schemas']['Award'][];
            /** @description Pass as ?cursor= for the next page; null on the last page */
            nextCursor: string | null;
            released: boolean;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  listCallPitches: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              budgetTotal: number;
              decision: {
                amount: number;
                outcome: string;
              } | null;
              id: string;
              status: string;
              submittedAt: string | null;
              themes: string[];
              title: string;
            }[];
            /** @description Pass as ?cursor= for the next page; null on the last page */
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  verifyCertificate: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        code: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Certificate'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  listCourses: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: components['schemas']['CourseSummary'][];
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  getCourse: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Course'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  listAttempts: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: components['schemas']['Attempt'][];
            /** @description Pass as ?cursor= for the next page; null on the last page */
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  getCompletionSummary: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            completed: number;
            enrolled: number;
            inProgress: number;
            total: number;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  listEnrolments: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: components['schemas']['Enrolment'][];
            /** @description Pass as ?cursor= for the next page; null on the last page */
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  enrolInCourse: {
    parameters: {
      query?: never;
      header?: {
        /** @description Any unique string (1–255 printable characters). Retrying with the same key and body returns the first answer (marked Idempotent-Replayed: true) without acting twice; the same key with another request is a 422. Keys are kept for 24 hours. */
        'Idempotency-Key'?: string;
      };
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['EnrolmentRequest'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EnrolmentResult'];
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EnrolmentResult'];
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      415: components['responses']['Error'];
      422: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
  getLesson: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        lesson: string;
        slug: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            blocks: {
              en: string;
              id: string;
              mn: string;
              src: string | null;
              type: string;
            }[];
            objectives: string[];
            slug: string;
            title: components['schemas']['Bilingual'];
            version: number;
          };
        };
      };
      400: components['responses']['Error'];
      401: components['responses']['Error'];
      403: components['responses']['Error'];
      404: components['responses']['Error'];
      429: components['responses']['RateLimited'];
    };
  };
}
