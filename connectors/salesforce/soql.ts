/**
 * The SOQL the Salesforce emulator answers: `SELECT fields FROM object [WHERE condition]
 * [ORDER BY field [ASC|DESC], …] [LIMIT n]`, conditions comparing a field with a literal and combined with
 * AND, OR and parentheses. Mistakes are reported with Salesforce's error codes and wording, so a connector
 * that quotes a dateTime or names a missing field fails against the emulator as it would in production.
 */

export type SoqlFieldType = 'id' | 'string' | 'dateTime';

/** The fields of one sObject, by their canonical (API) names. */
export interface SObjectDescription {
  name: string;
  fields: Readonly<Record<string, SoqlFieldType>>;
}

export type SoqlOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
/** A dateTime literal as epoch milliseconds; other values as the text they compare. */
export type SoqlValue = string | number;
export type SoqlCondition =
  { kind: 'and' | 'or'; left: SoqlCondition; right: SoqlCondition } | { kind: 'compare'; field: string; operator: SoqlOperator; value: SoqlValue };

export interface SoqlQuery {
  /** Canonical field names, in the order selected. */
  fields: string[];
  where: SoqlCondition | null;
  orderBy: { field: string; descending: boolean }[];
  limit: number | null;
}

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

const TOKEN =
  /\s*(?:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))|('(?:[^'\\]|\\.)*')|(<=|>=|!=|<>|=|<|>|\(|\)|,)|(\d+)|([A-Za-z_][A-Za-z0-9_.]*))/y;
type Token = { kind: 'dateTime' | 'string' | 'symbol' | 'number' | 'word'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${text.slice(at).trim().split(/\s+/)[0]}'`);
    const [, dateTime, string, symbol, number, word] = match;
    if (dateTime) tokens.push({ kind: 'dateTime', text: dateTime });
    else if (string) tokens.push({ kind: 'string', text: string.slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (symbol) tokens.push({ kind: 'symbol', text: symbol === '<>' ? '!=' : symbol });
    else if (number) tokens.push({ kind: 'number', text: number });
    else tokens.push({ kind: 'word', text: word! });
  }
  return tokens;
}

export function parseSoql(text: string, sObject: SObjectDescription): SoqlQuery {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const isKeyword = (word: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === word;
  const expect = (what: string, accept: (token: Token) => boolean): Token => {
    const token = tokens[position];
    if (!token || !accept(token)) throw new SoqlError('MALFORMED_QUERY', `expecting ${what}, found '${token?.text ?? 'EOF'}'`);
    position++;
    return token;
  };
  const keyword = (word: string) => expect(`'${word}'`, (t) => t.kind === 'word' && t.text.toUpperCase() === word);
  const symbol = (s: string) => expect(`'${s}'`, (t) => t.kind === 'symbol' && t.text === s);
  const field = (): string => {
    const name = expect('a field name', (t) => t.kind === 'word').text;
    const canonical = Object.keys(sObject.fields).find((f) => f.toLowerCase() === name.toLowerCase());
    if (!canonical) throw new SoqlError('INVALID_FIELD', `No such column '${name}' on entity '${sObject.name}'.`);
    return canonical;
  };

  function comparison(): SoqlCondition {
    const name = field();
    const operator = expect('an operator', (t) => t.kind === 'symbol' && ['=', '!=', '<', '<=', '>', '>='].includes(t.text)).text as SoqlOperator;
    const literal = expect('a value', (t) => t.kind === 'dateTime' || t.kind === 'string');
    const type = sObject.fields[name]!;
    if ((type === 'dateTime') !== (literal.kind === 'dateTime')) {
      throw new SoqlError(
        'INVALID_FIELD',
        `value of filter criterion for field '${name}' must be of type ${type === 'dateTime' ? 'dateTime and should not be enclosed in quotes' : 'string and should be enclosed in quotes'}`,
      );
    }
    return {
      kind: 'compare',
      field: name,
      operator,
      value: literal.kind === 'dateTime' ? Date.parse(literal.text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : literal.text,
    };
  }
  function operand(): SoqlCondition {
    if (peek()?.text !== '(') return comparison();
    symbol('(');
    const inner = disjunction();
    symbol(')');
    return inner;
  }
  function conjunction(): SoqlCondition {
    let left = operand();
    while (isKeyword('AND')) {
      position++;
      left = { kind: 'and', left, right: operand() };
    }
    return left;
  }
  function disjunction(): SoqlCondition {
    let left = conjunction();
    while (isKeyword('OR')) {
      position++;
      left = { kind: 'or', left, right: conjunction() };
    }
    return left;
  }

  keyword('SELECT');
  const fields = [field()];
  while (peek()?.text === ',') {
    position++;
    fields.push(field());
  }
  keyword('FROM');
  const object = expect('an sObject name', (t) => t.kind === 'word').text;
  if (object.toLowerCase() !== sObject.name.toLowerCase()) throw new SoqlError('INVALID_TYPE', `sObject type '${object}' is not supported.`);
  let where: SoqlCondition | null = null;
  if (isKeyword('WHERE')) {
    position++;
    where = disjunction();
  }
  const orderBy: SoqlQuery['orderBy'] = [];
  if (isKeyword('ORDER')) {
    position++;
    keyword('BY');
    do {
      if (orderBy.length > 0) position++;
      const name = field();
      const descending = isKeyword('DESC');
      if (descending || isKeyword('ASC')) position++;
      orderBy.push({ field: name, descending });
    } while (peek()?.text === ',');
  }
  let limit: number | null = null;
  if (isKeyword('LIMIT')) {
    position++;
    limit = Number(expect('a number', (t) => t.kind === 'number').text);
  }
  if (position < tokens.length) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens[position]!.text}'`);
  return { fields, where, orderBy, limit };
}

/** Whether a record matches a condition; `valueOf` gives a field's value (a dateTime as epoch milliseconds). */
export function matchesSoql(condition: SoqlCondition, valueOf: (field: string) => SoqlValue | null): boolean {
  if (condition.kind !== 'compare') {
    const left = matchesSoql(condition.left, valueOf);
    return condition.kind === 'and' ? left && matchesSoql(condition.right, valueOf) : left || matchesSoql(condition.right, valueOf);
  }
  const value = valueOf(condition.field);
  if (value === null) return condition.operator === '!=';
  const order = value < condition.value ? -1 : value > condition.value ? 1 : 0;
  switch (condition.operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}
