/**
 * `<Head>`: children given anywhere in a page go into the document's `<head>`; in the
 * browser it renders nothing.
 *
 * @module
 */
import { type ComponentChildren, createContext } from "preact";
import { useContext } from "preact/hooks";

/** Collects the children of every `<Head>` of one server render. */
export const HeadContext = createContext<ComponentChildren[] | null>(null);

export function Head(props: { children?: ComponentChildren }): null {
  const collected = useContext(HeadContext);
  collected?.push(props.children);
  return null;
}
