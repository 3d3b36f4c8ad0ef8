import type { FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql/index.ts';
import type { ReleaseStrategy } from '../gql/graphql.ts';
import { ErrorText } from './ui.tsx';

const CreateRelease = graphql(`
  mutation CreateRelease($input: CreateReleaseInput!) { createRelease(input: $input) { id version } }
`);

/** Starts a release of an image (default strategy: CANARY on protected environments, ROLLING elsewhere). */
export function NewReleaseForm({ environmentId, onCreated }: { environmentId: string; onCreated: () => void }) {
  const [state, create] = useMutation(CreateRelease);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const strategy = String(form.get('strategy') ?? '');
    const result = await create({
      input: { environmentId, image: String(form.get('image')).trim(), ...(strategy ? { strategy: strategy as ReleaseStrategy } : {}) },
    });
    if (result.data) onCreated();
  };
  return (
    <section aria-labelledby="new-release">
      <h2 id="new-release">New release</h2>
      <form className="inline" onSubmit={submit}>
        <label>Image <input name="image" required maxLength={512} placeholder="registry.example.com/shop/checkout:1.4.2" spellCheck={false} /></label>
        <label>Strategy
          <select name="strategy" defaultValue="">
            <option value="">environment default</option>
            <option value="CANARY">canary</option>
            <option value="ROLLING">rolling</option>
            <option value="RECREATE">recreate</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={state.fetching}>Release</button>
      </form>
      <ErrorText error={state.error} />
    </section>
  );
}
