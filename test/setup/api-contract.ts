import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ApiDocument } from '../../api/openapi/api-document';

/** The document's base URI for its JSON pointers; it is never fetched. */
const DOCUMENT_ID = 'https://liftos-connect.invalid/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  method: (typeof METHODS)[number];
  /** The path as the document writes it: /connections/{id}. */
  template: string;
  pattern: RegExp;
  /** Literal segments: of two templates matching a path, the one with more is the route (Hono prefers static segments too). */
  literals: number;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

const pointerSegment = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
const pointer = (...segments: string[]) => `${DOCUMENT_ID}#/${segments.map(pointerSegment).join('/')}`;

/**
 * Checks real answers against the API's OpenAPI document, as a client generated from it would
 * read them: the status must be documented for the operation, and a JSON body must match the
 * documented JSON Schema (OpenAPI 3.1 schemas are JSON Schema 2020-12). Answers of no documented
 * operation (an unknown path) must still be the error envelope. Records what it checked, so a test
 * can require every operation to have been answered.
 */
export function createContractChecker(loadDocument: () => Promise<ApiDocument>) {
  let loaded: Promise<{ ajv: Ajv2020; document: ApiDocument; operations: Operation[] }> | undefined;
  const validators = new Map<string, ValidateFunction>();
  const answered = new Map<string, Set<number>>();

  async function load() {
    const document = await loadDocument();
    if (!document?.paths) throw new Error(`no OpenAPI document to check answers against: ${JSON.stringify(document).slice(0, 500)}`);
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    // zod writes a base64 string's pattern beside this format name, which JSON Schema does not define: the pattern checks it.
    ajv.addFormat('base64', true);
    ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    const operations = Object.entries(document.paths).flatMap(([template, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method,
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
      })),
    );
    return { ajv, document, operations };
  }

  function validator(ajv: Ajv2020, ref: string): ValidateFunction {
    let validate = validators.get(ref);
    if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
    return validate;
  }

  /** Throws when the answer is not as documented. */
  async function check(method: string, url: string, answer: Answer): Promise<void> {
    const { ajv, document, operations } = await (loaded ??= load());
    const path = new URL(url, 'http://api.invalid').pathname;
    const operation = operations.filter((o) => o.method === method.toLowerCase() && o.pattern.test(path)).sort((a, b) => b.literals - a.literals)[0];
    const fail = (why: string) => {
      const documented = operation ? ` for ${operation.method.toUpperCase()} ${operation.template}` : '';
      throw new Error(`${method} ${path} answered ${answer.status}, not as documented${documented}: ${why}\n${answer.text.slice(0, 2000)}`);
    };
    const isJson = /^application\/([a-z.+-]*\+)?json\b/i.test(answer.headers.get('content-type') ?? '');
    if (!operation) {
      // No such route (Hono's 404, a method the path has not): the error envelope all the same.
      if (method === 'OPTIONS') return;
      if (!isJson) fail('an answer of no route must be the JSON error envelope');
      const validate = validator(ajv, pointer('components', 'schemas', 'Error'));
      if (!validate(answer.json)) fail(ajv.errorsText(validate.errors));
      return;
    }
    const key = `${operation.method.toUpperCase()} ${operation.template}`;
    const response = document.paths[operation.template]![operation.method]!.responses?.[answer.status];
    if (!response) fail(`status ${answer.status} is not documented`);
    const content = response && 'content' in response ? response.content : undefined;
    if (!content) {
      if (answer.text !== '') fail('the documented answer has no body');
    } else if (content['application/json']) {
      if (!isJson) fail(`expected JSON, got ${answer.headers.get('content-type')}`);
      const schema = pointer('paths', operation.template, operation.method, 'responses', String(answer.status), 'content', 'application/json', 'schema');
      const validate = validator(ajv, schema);
      if (!validate(answer.json)) fail(ajv.errorsText(validate.errors, { separator: '; ' }));
    } else {
      const type = answer.headers.get('content-type') ?? '';
      if (!Object.keys(content).some((media) => type.startsWith(media))) fail(`expected ${Object.keys(content).join(' or ')}, got ${type}`);
    }
    answered.set(key, (answered.get(key) ?? new Set()).add(answer.status));
  }

  return {
    check,
    /** The operations answered as documented so far (`METHOD /template`), with their statuses. */
    answered: () => answered as ReadonlyMap<string, ReadonlySet<number>>,
  };
}
