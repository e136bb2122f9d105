/**
 * A name Quiver uses both as an identifier and as a path or key segment (pipelines, runs, models,
 * aliases): letters, digits, `-` or `_`, starting with a letter or digit, so a typed name can never
 * reach outside its folder or prefix.
 */
export const SAFE_NAME = /^[a-z0-9][a-z0-9_-]*$/i;
