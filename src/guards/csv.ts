// Go's encoding/csv Reader.Read, as docker uses it on one flag value (opts.MountOpt,
// opts.NetworkOpt, pflag's stringSlice): the first record of the value, default settings
// (Comma ',', no comment character, TrimLeadingSpace false, LazyQuotes false).
//
// A value holding a line break is not read here: Go's reader skips empty lines and reads only
// the first record, so `"\ntype=bind,…"` or a quoted field spanning lines would need the whole
// multi-line algorithm. Nobody needs a line break in these values; the rules refuse them.

export type CsvResult = { readonly fields: string[] } | { readonly error: string };

/** Reads `value` as Go's csv.NewReader(strings.NewReader(value)).Read() does. */
export function readGoCsvRecord(value: string): CsvResult {
  if (/[\r\n]/.test(value)) return { error: 'a line break in the value' };
  // csv.Reader.Read on an empty input returns io.EOF.
  if (value === '') return { error: 'EOF' };
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (value[pos] !== '"') {
      // Unquoted field: up to the next comma; a quote inside it is ErrBareQuote.
      const comma = value.indexOf(',', pos);
      const field = comma < 0 ? value.slice(pos) : value.slice(pos, comma);
      if (field.includes('"')) return { error: 'bare " in non-quoted-field' };
      fields.push(field);
      if (comma < 0) return { fields };
      pos = comma + 1;
      continue;
    }
    // Quoted field: `""` is a quote; the closing quote must be followed by a comma or the end.
    pos += 1;
    let field = '';
    for (;;) {
      const q = value.indexOf('"', pos);
      if (q < 0) return { error: 'extraneous or missing " in quoted-field' };
      field += value.slice(pos, q);
      pos = q + 1;
      if (value[pos] === '"') {
        field += '"';
        pos += 1;
      } else if (value[pos] === ',') {
        fields.push(field);
        pos += 1;
        break;
      } else if (pos === value.length) {
        fields.push(field);
        return { fields };
      } else {
        return { error: 'extraneous or missing " in quoted-field' };
      }
    }
  }
}

/** A flag value as shown in a message: quoted, control characters escaped, long ones cut. */
export function shown(value: string, max = 120): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}
