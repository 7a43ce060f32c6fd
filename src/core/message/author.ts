/**
 * Who a message says wrote it, judged strictly enough to bind a signature to it (the "Johnny"
 * identity class): exactly one From field holding exactly one mailbox, and a display name that
 * does not show another address. Anything else is a problem with its own reason code, so a
 * signature is never shown as valid next to an author the user could misread.
 *
 * The header is parsed in its raw form and RFC 2047 words are decoded only inside display
 * names (parseMailbox does that): an encoded comma or angle bracket must not become structure.
 */
import { decodeRawHeaderText } from "../mime/charset.js";
import { analyseAddressList, type Mailbox } from "../mime/index.js";
import type { HeaderField } from "../mime/entity.js";
import type { StatusReason } from "../status/message-status.js";

export interface Author {
  /** The author's address (domain lowercased), when the From names one mailbox. */
  address?: string;
  /** Why the From cannot be bound to a signer; absent when it can. */
  problem?: StatusReason;
  /** The Sender field's address, when it names someone other than the author. */
  sender?: string;
}

function fieldValues(headers: readonly HeaderField[], name: string): string[] {
  return headers.filter((h) => h.name.toLowerCase() === name).map((h) => decodeRawHeaderText(h.value));
}

/** What separates words in a display name; an address-like word has an "@" inside it. */
const SEPARATORS = /[\s"'<>()[\]{},;:\\]+/u;

/**
 * An e-mail address the display name shows that is not the mailbox's own. NFKC first, so a
 * fullwidth "＠" or other compatibility forms count as what a reader sees. Split into words
 * rather than matched with a pattern: names are attacker-controlled and may be long.
 */
function otherAddressInName(mb: Mailbox): string | undefined {
  if (!mb.name) return undefined;
  const own = mb.address.toLowerCase();
  // Thunderbird shows "boss @ corp.example" (unquoted) as "boss@corp.example": spaces around
  // an "@" do not make a word less of an address.
  for (const word of mb.name.normalize("NFKC").replace(/\s*@\s*/gu, "@").split(SEPARATORS)) {
    const at = word.indexOf("@");
    if (at <= 0 || at === word.length - 1) continue;
    const shown = word.replace(/\.+$/u, "").toLowerCase();
    if (shown !== own) return word;
  }
  return undefined;
}

export function analyseAuthor(headers: readonly HeaderField[]): Author {
  const author: Author = {};
  const froms = fieldValues(headers, "from");
  const list = froms.length === 1 ? analyseAddressList(froms[0]!) : undefined;
  const first = list?.mailboxes[0];
  if (froms.length > 1) {
    author.problem = { code: "multiple-from", message: `The message has ${froms.length} From fields; RFC 5322 allows one, so its author is ambiguous.` };
  } else if (!list || list.groups > 0 || list.stray > 0 || !first) {
    author.problem = {
      code: "no-from",
      message:
        froms.length === 0
          ? "The message has no From field, so no author to compare the signer with."
          : "The From field does not name one mailbox with an address (it is empty, a group, a name without an address, or unreadable).",
    };
  } else if (list.mailboxes.length > 1) {
    author.problem = { code: "multiple-from", message: `The From field names ${list.mailboxes.length} mailboxes; the signer cannot be all of them.` };
  }
  if (first && !(froms.length > 1)) author.address = first.address;
  const shown = first && !author.problem ? otherAddressInName(first) : undefined;
  if (first && shown) {
    author.problem = {
      code: "display-name-address",
      message: `The sender's display name shows the address ${shown}, but the message is from ${first.address}.`,
    };
  }
  const senderField = fieldValues(headers, "sender")[0];
  const sender = senderField !== undefined ? analyseAddressList(senderField).mailboxes[0]?.address : undefined;
  if (sender && sender.toLowerCase() !== author.address?.toLowerCase()) author.sender = sender;
  return author;
}
