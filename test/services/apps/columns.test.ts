import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { appColumns, environmentColumns, projectColumns, releaseSummaryColumns } from '../../../services/apps/columns.ts';
import { CONNECTION_ITEMS, selectedFieldInfo, type SelectionInfo } from '../../../services/shared/selection.ts';

/** The `info` a resolver of the field at `path` (response names from the root) would get. */
function infoAt(document: string, path: string[]): SelectionInfo {
  const parsed = parse(document);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of parsed.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const operation = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  let selections = operation.selectionSet.selections;
  let field: FieldNode | undefined;
  for (const name of path) {
    field = selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === name);
    if (!field) throw new Error(`no field ${name}`);
    selections = field.selectionSet?.selections ?? [];
  }
  return { fieldNodes: [field!], fragments };
}

const DASHBOARD = `query Dashboard($slug: String!) {
  project(slug: $slug) { id name apps(first: 20) { totalCount nodes { id name language
    environments { id name namespace replicas currentRelease { id version image status } } } } }
}`;

describe('the columns a selection needs', () => {
  it('should read only the columns of the dashboard fields, plus the keys rows are matched by', () => {
    expect(projectColumns(infoAt(DASHBOARD, ['project']))).toEqual(['id', 'name', 'slug']);
    expect(appColumns(infoAt(DASHBOARD, ['project', 'apps']))).toEqual(['id', 'language', 'name', 'projectId']);
    expect(environmentColumns(infoAt(DASHBOARD, ['project', 'apps', 'nodes', 'environments']))).toEqual(['appId', 'id', 'name', 'namespace', 'replicas', 'stableReleaseId']);
    expect(releaseSummaryColumns(infoAt(DASHBOARD, ['project', 'apps', 'nodes', 'environments', 'currentRelease']))).toEqual(['id', 'image', 'status', 'version']);
  });

  it('should follow fragments, inline fragments and connection edges', () => {
    const document = `{ project(slug: "a") { ...P } }
      fragment P on Project { createdAt apps { edges { node { ... on App { repoUrl } } } } }`;
    expect(projectColumns(infoAt(document, ['project']))).toEqual(['createdAt', 'id', 'slug']);
    const apps = `{ project(slug: "a") { apps { edges { node { ...A } } nodes { description } } } } fragment A on App { repoUrl project { id } }`;
    expect(appColumns(infoAt(apps, ['project', 'apps']))).toEqual(['description', 'id', 'name', 'projectId', 'repoUrl']);
  });

  it('should read whole rows when a field it does not know is selected', () => {
    expect(appColumns(infoAt(`{ project(slug: "a") { apps { nodes { name buildSpec } } } }`, ['project', 'apps']))).toBeNull();
    expect(environmentColumns(infoAt(`{ project(slug: "a") { apps { nodes { environments { name configRevision { number } } } } } }`, ['project', 'apps', 'nodes', 'environments']))).toBeNull();
    expect(releaseSummaryColumns(infoAt(`{ project(slug: "a") { app(name: "x") { environments { currentRelease { build { id } } } } } }`, ['project', 'app', 'environments', 'currentRelease']))).toBeNull();
  });

  it('should need only the keys for __typename alone', () => {
    expect(projectColumns(infoAt(`{ project(slug: "a") { __typename } }`, ['project']))).toEqual(['id', 'slug']);
  });
});

describe('the field a parent reads ahead for', () => {
  const apps = (document: string) => infoAt(document, ['project', 'apps']);

  it('should find the one environments node under the items, as its own resolver gets it', () => {
    const info = apps(DASHBOARD);
    const environments = selectedFieldInfo(info, 'environments', CONNECTION_ITEMS)!;
    const field = (node: FieldNode | undefined, name: string) => node?.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === name);
    const node = field(field(info.fieldNodes[0], 'nodes'), 'environments')!;
    // The document's own node: the resolver's memoised columns are the very same array.
    expect(environments.fieldNodes[0]).toBe(node);
    expect(environmentColumns(environments)).toBe(environmentColumns({ fieldNodes: [node], fragments: info.fragments }));
    expect(selectedFieldInfo(environments, 'currentRelease')?.fieldNodes[0]?.name.value).toBe('currentRelease');
  });

  it('should follow fragments', () => {
    const document = `{ project(slug: "a") { apps { nodes { ...A } } } } fragment A on App { ... on App { environments { id } } }`;
    expect(selectedFieldInfo(apps(document), 'environments', CONNECTION_ITEMS)?.fieldNodes).toHaveLength(1);
  });

  it('should give nothing when the field is absent, selected twice, or under a directive', () => {
    expect(selectedFieldInfo(apps(`{ project(slug: "a") { apps { nodes { id } } } }`), 'environments', CONNECTION_ITEMS)).toBeNull();
    expect(selectedFieldInfo(apps(`{ project(slug: "a") { apps { nodes { a: environments { id } b: environments { name } } } } }`), 'environments', CONNECTION_ITEMS)).toBeNull();
    expect(selectedFieldInfo(apps(`{ project(slug: "a") { apps { nodes { environments { id } } edges { node { environments { name } } } } } }`), 'environments', CONNECTION_ITEMS)).toBeNull();
    expect(selectedFieldInfo(apps(`{ project(slug: "a") { apps { nodes { environments @skip(if: true) { id } } } } }`), 'environments', CONNECTION_ITEMS)).toBeNull();
    expect(selectedFieldInfo(apps(`{ project(slug: "a") { apps { nodes { ... @include(if: false) { environments { id } } } } } }`), 'environments', CONNECTION_ITEMS)).toBeNull();
  });
});
