/** A TLP badge in the FIRST TLP 2.0 colours; `private` when the object carries no TLP. */
export function Tlp({ tlp }: { tlp: string | null }) {
  return tlp ? <span className={`tlp tlp-${tlp.replace('+', '-')}`}>TLP:{tlp.toUpperCase()}</span> : <span className="muted">private</span>;
}
