import type { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';

/** The type names `temporal` CLI flags take (`--search-attribute Name=Keyword`, `--type Int`). */
const CLI_TYPE_NAMES = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
} as const satisfies Record<SearchAttributeType, string>;

export type SearchAttributeTypeName = (typeof CLI_TYPE_NAMES)[SearchAttributeType];

/**
 * Quiver's custom search attributes as name → CLI type name, e.g. `QuiverModelVersion: 'Int'`.
 * Derived from the typed keys in core/search-attributes.ts that the workflow upserts, so the dev
 * server and the cluster setup register exactly what the workflow writes.
 */
export const QUIVER_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, CLI_TYPE_NAMES[key.type]]),
);
