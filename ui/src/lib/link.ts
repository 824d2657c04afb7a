// How the "Open link?" dialog shows a link: the whole target, with the part that says where it
// really goes (the host of a web link, the address of a mail link) set apart from the rest.

/** A link cut into the pieces the dialog shows; joined again they give back the link exactly. */
export interface LinkParts {
  /** `https://`, `mailto:` … */
  scheme: string;
  /** A user name or password before the host (`paypal.com@`): a classic disguise, shown as such. */
  userinfo: string;
  /** The host (with its port) of a web link, the address of a mail link: emphasised. */
  host: string;
  /** Path, query and fragment. */
  rest: string;
}

const WEB = /^(https?:\/\/)([^/?#]*@)?([^/?#]*)(.*)$/is;
const MAIL = /^(mailto:)([^?#]*)(.*)$/is;

/** Cuts `url` into its pieces; a link of another shape is all `rest` (nothing emphasised). */
export function linkParts(url: string): LinkParts {
  const web = WEB.exec(url);
  if (web) return { scheme: web[1], userinfo: web[2] ?? '', host: web[3], rest: web[4] };
  const mail = MAIL.exec(url);
  if (mail) return { scheme: mail[1], userinfo: '', host: mail[2], rest: mail[3] };
  return { scheme: '', userinfo: '', host: '', rest: url };
}
