/**
 * Rewrites graphql-js' request-error messages so they never echo what the caller sent.
 *
 * graphql-js quotes the offending value in coercion, validation and syntax errors
 * (`Variable "$password" got invalid value "hunter2"; …`, `found "hunter2"`, `String "hunter2"`).
 * Callers put tokens and passwords in variables; a rejected one must not come back in the
 * response, nor in a log that stores responses. Only the position (variable, input path, type,
 * line and column) is kept: enough to find the mistake, nothing of its content.
 *
 * Works on the message text alone, because the WebSocket path re-creates validation errors
 * from their message; the patterns are graphql-js 16's own wording.
 */

/** `Variable "$x" got invalid value <value>[ at "x.path"]; <reason>` (values.ts, coerceVariableValues). */
const INVALID_VARIABLE = /^(Variable "\$[_A-Za-z][_0-9A-Za-z]*" got invalid value )([\s\S]*)$/;
/** The path graphql-js appends after the value: names and list indexes only. */
const VARIABLE_PATH = / at "([_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*|\[\d+\])+)"; /;
/** ValuesOfCorrectTypeRule on literals: `Expected value of type "T", found <literal>[; reason]`. */
const LITERAL_FOUND = /^(Expected value of type "[^"]+"), found [\s\S]*$/;
/** Syntax errors describe the unexpected token with its text: `found String "…".`, `Unexpected Name "…".` */
const TOKEN_WITH_TEXT = /\b(String|BlockString|Name|Int|Float|Comment) "[\s\S]*"(?=\.$)/;
/** Syntax errors quoting a piece of the source: `Invalid character escape sequence: "\q".` */
const SOURCE_EXCERPT = /^(Syntax Error: [^:"]+): "[\s\S]*"\.$/;

/** Reasons that name the value's kind after `: ` (`String cannot represent a non string value: 123`). */
const CANNOT_REPRESENT = /^((?:[_A-Za-z][_0-9A-Za-z]*|Enum "[_A-Za-z][_0-9A-Za-z]*") cannot represent [^:"]*?value): [\s\S]*$/;
/** An enum value that does not exist, with graphql-js' suggestions (schema names, not input). */
const NO_SUCH_ENUM_VALUE = /^Value [\s\S]* does not exist in ("[_A-Za-z][_0-9A-Za-z]*" enum\.)((?: Did you mean [^"?]*(?:"[_A-Za-z][_0-9A-Za-z]*"[^"?]*)*\?)?)$/;

/** The echo-free form of a scalar or enum rejection, or null when `reason` is not one. */
function rejectionWithoutValue(reason: string): string | null {
  const represent = CANNOT_REPRESENT.exec(reason);
  if (represent) return `${represent[1]}.`;
  const enumValue = NO_SUCH_ENUM_VALUE.exec(reason);
  if (enumValue) return `Value does not exist in ${enumValue[1]}${enumValue[2]}`;
  return null;
}

/**
 * The reason graphql-js gives after a variable's value, without any echo of the value. Its own
 * fixed wordings and our scalars' fixed messages (no quotes, no `: `) pass; anything else may
 * quote the input and is replaced.
 */
function safeReason(reason: string): string {
  const rejection = rejectionWithoutValue(reason);
  if (rejection) return rejection;
  const fixed = [
    /^Expected non-nullable type "[^"]+" not to be null\.$/,
    /^Expected type "[^"]+" to be an object\.$/,
    /^Expected type "[^"]+"\.$/,
    /^Field "[_A-Za-z][_0-9A-Za-z]*" of required type "[^"]+" was not provided\.$/,
    /^Field "[_A-Za-z][_0-9A-Za-z]{0,63}" is not defined by type "[^"]+"\.(?: Did you mean [^"?]*(?:"[_A-Za-z][_0-9A-Za-z]*"[^"?]*)*\?)?$/,
    /^(?![\s\S]*: )[^"]*$/,
  ];
  if (fixed.some((pattern) => pattern.test(reason))) return reason;
  const expectedType = /^(Expected type "[^"]+"\.)/.exec(reason);
  return expectedType ? expectedType[1]! : "The value does not match the variable's type.";
}

/**
 * Rewrites a request-error message (coercion, validation, syntax) without any value the caller
 * sent. Messages that echo nothing are returned unchanged.
 * @param reason For variable errors, the original error's message when the caller has it: it
 *   separates value from reason even when the value contains `; `.
 */
export function withoutEchoedValues(message: string, reason?: string): string {
  const variable = INVALID_VARIABLE.exec(message);
  if (variable) {
    const rest = variable[2]!;
    const knownReason = reason !== undefined && rest.endsWith(`; ${reason}`) ? reason : undefined;
    const beforeReason = knownReason !== undefined ? rest.slice(0, rest.length - knownReason.length) : rest;
    // The last ` at "path"; ` before the reason; a value cannot fake it (JSON-quoted, so `"` is escaped).
    const paths = [...beforeReason.matchAll(new RegExp(VARIABLE_PATH, 'g'))];
    const lastPath = paths.at(-1);
    const path = lastPath ? ` at "${lastPath[1]}"` : '';
    const tail = knownReason ?? (lastPath ? rest.slice(lastPath.index! + lastPath[0].length) : rest.slice(rest.lastIndexOf('; ') + 2));
    return `${variable[1]!.trimEnd()}${path}; ${safeReason(tail)}`;
  }
  const literal = LITERAL_FOUND.exec(message);
  if (literal) return `${literal[1]}.`;
  if (message.startsWith('Syntax Error: ')) {
    const excerpt = SOURCE_EXCERPT.exec(message);
    if (excerpt) return `${excerpt[1]}.`;
    return message.replace(TOKEN_WITH_TEXT, '$1');
  }
  return rejectionWithoutValue(message) ?? message;
}

/** ` Did you mean "project"?` and its variants, as graphql-js' didYouMean writes them. */
const SUGGESTION = / Did you mean (?:the enum value |to use an inline fragment on )?[^?]*\?/g;

/**
 * Drops graphql-js' "Did you mean …?" hints. With introspection off they would let anyone
 * enumerate the schema one typo at a time.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}
