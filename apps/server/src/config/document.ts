import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { ConfigError, type ConfigPath, type ConfigProblem } from './problems.js';

/** A parsed JSON config together with what is needed to point at positions in its text. */
export interface ConfigDocument {
  readonly value: unknown;
  /**
   * Line and column (1-based) of the value at `path`, or of its key when `atKey` is set. A path that
   * is not in the document (a missing key) points at its nearest ancestor that is.
   */
  locate(path: ConfigPath, atKey?: boolean): { line: number; column: number } | undefined;
}

const syntaxHints: Record<string, string> = {
  InvalidSymbol: 'invalid symbol',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' (or a closing bracket)",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected content after the end of the document',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

/** Parses strict JSON (no comments, no trailing commas) and reports syntax errors with line:column. */
export function parseConfigDocument(text: string): ConfigDocument {
  const lineStarts = computeLineStarts(text);
  const position = (offset: number) => positionOf(lineStarts, offset);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined || tree === undefined) {
    const code = first === undefined ? 'ValueExpected' : printParseErrorCode(first.error);
    const problem: ConfigProblem = {
      path: [],
      message: `is not valid JSON: ${syntaxHints[code] ?? code}`,
      ...position(first?.offset ?? 0),
    };
    throw new ConfigError([problem]);
  }
  // The tree only serves positions; the value comes from the platform parser for exact JSON semantics.
  const value: unknown = JSON.parse(text);
  return {
    value,
    locate(path, atKey = false) {
      for (let length = path.length; length >= 0; length--) {
        const node = findNodeAtLocation(tree, path.slice(0, length));
        if (node === undefined) continue;
        const target = atKey && length === path.length ? keyNodeOf(node) : node;
        return position(target.offset);
      }
      return undefined;
    },
  };
}

function keyNodeOf(node: Node): Node {
  const parent = node.parent;
  return parent?.type === 'property' && parent.children?.[0] !== undefined ? parent.children[0] : node;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) === 10) starts.push(index + 1);
  }
  return starts;
}

function positionOf(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
}
