// Package ulid makes 26-character, lexically sortable identifiers in the
// format Auth0 uses for hook ids (ULIDs): 48 bits of milliseconds since the
// Unix epoch, then 80 random bits, in Crockford's base 32.
package ulid
