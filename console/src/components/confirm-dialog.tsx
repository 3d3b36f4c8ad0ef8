import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

/**
 * A modal question (the native <dialog>: focus moves into it and Escape cancels), optionally with
 * a free-text field, e.g. the reason of an abort.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  /** When set, the dialog asks for this text (optional for the user) and passes it to onConfirm. */
  textLabel?: string;
  onConfirm: (text: string) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    props.onConfirm(String(new FormData(event.currentTarget).get('text') ?? '').trim());
  };
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={props.onCancel} onClose={() => props.open && props.onCancel()}>
      {props.open && (
        <form onSubmit={submit}>
          <h2 id={titleId}>{props.title}</h2>
          {props.children}
          {props.textLabel && (
            <label>{props.textLabel} <input name="text" maxLength={500} autoFocus /></label>
          )}
          <div className="actions">
            <button type="button" onClick={props.onCancel}>Cancel</button>
            <button type="submit" className="primary" autoFocus={!props.textLabel}>{props.confirmLabel}</button>
          </div>
        </form>
      )}
    </dialog>
  );
}
