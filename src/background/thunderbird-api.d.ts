// The subset of Thunderbird's MailExtension API (Thunderbird 128+, MV3) that the background
// uses, typed from the schemas shipped in Thunderbird 153's omni.ja. Kept small on purpose:
// every call the add-on makes is visible here.

declare namespace messenger {
  namespace tabs {
    interface Tab { id: number; windowId?: number; type?: string }
    function sendMessage(tabId: number, message: unknown): Promise<unknown>;
    const onCreated: { addListener(cb: (tab: Tab) => void): void };
    const onRemoved: { addListener(cb: (tabId: number) => void): void };
  }
  namespace messages {
    interface MessageHeader { id: number; subject: string; author: string; recipients: string[]; ccList: string[]; date?: string | Date; headerMessageId?: string; folder?: unknown }
    function get(id: number): Promise<MessageHeader>;
    interface MessageList { id: string | null; messages: MessageHeader[] }
    function getRaw(id: number, options?: { decrypt?: boolean; data_format?: "File" | "BinaryString" }): Promise<File | string>;
  }
  namespace webRequest {
    interface ErrorDetails { url: string; error: string; originUrl?: string; tabId?: number }
    const onErrorOccurred: { addListener(cb: (details: ErrorDetails) => void, filter: { urls: string[] }): void };
  }
  namespace mailTabs {
    /** mailTabs.json: fires for a 3-pane tab's selection, also when the message never finishes loading. */
    const onSelectedMessagesChanged: { addListener(cb: (tab: tabs.Tab, selected: messages.MessageList) => void): void };
  }
  namespace messageDisplay {
    const onMessagesDisplayed: { addListener(cb: (tab: tabs.Tab, displayed: messages.MessageList) => void): void };
    function getDisplayedMessages(tabId: number): Promise<messages.MessageList>;
  }
  namespace messageDisplayAction {
    interface TabDetails { tabId?: number }
    function setTitle(details: TabDetails & { title: string | null }): Promise<void>;
    function setIcon(details: TabDetails & { path: string | Record<string, string> }): Promise<void>;
    function setBadgeText(details: TabDetails & { text: string | null }): Promise<void>;
    function setBadgeBackgroundColor(details: TabDetails & { color: string | null }): Promise<void>;
    function openPopup(options?: { windowId?: number }): Promise<void>;
    function setLabel(details: TabDetails & { label: string | null }): Promise<void>;
  }
  namespace scripting {
    /** Firefox's scripting.executeScript (toolkit schema); for a mail or message tab it targets the message pane. */
    function executeScript(injection: { target: { tabId: number; allFrames?: boolean }; files?: string[]; injectImmediately?: boolean }): Promise<Array<{ result?: unknown; error?: unknown }>>;
    namespace messageDisplay {
      function registerScripts(scripts: Array<{ id: string; js?: string[]; css?: string[]; runAt?: string }>): Promise<void>;
      function getRegisteredScripts(filter?: { ids?: string[] }): Promise<Array<{ id: string; runAt?: string }>>;
      function unregisterScripts(filter?: { ids?: string[] }): Promise<void>;
    }
  }
  namespace runtime {
    interface MessageSender { tab?: tabs.Tab; id?: string; url?: string }
    const onMessage: {
      addListener(cb: (message: unknown, sender: MessageSender) => Promise<unknown> | undefined): void;
    };
    const onInstalled: { addListener(cb: () => void): void };
    const onStartup: { addListener(cb: () => void): void };
    function getURL(path: string): string;
    function sendMessage(message: unknown): Promise<unknown>;
    function openOptionsPage(): Promise<void>;
  }
  namespace storage {
    interface Area {
      get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
      remove(keys: string | string[]): Promise<void>;
    }
    const session: Area;
    const local: Area;
  }
  namespace i18n {
    function getMessage(key: string, substitutions?: string | string[]): string;
    function getUILanguage(): string;
  }
  namespace windows {
    function create(options: { url: string; type?: "popup" | "normal"; width?: number; height?: number }): Promise<{ id: number }>;
  }
  namespace identities {
    /** identities.json: MailIdentity (the fields Sealbird reads). Needs accountsRead. */
    interface MailIdentity { id?: string; accountId?: string; email?: string; name?: string; label?: string }
    function list(accountId?: string): Promise<MailIdentity[]>;
    function get(identityId: string): Promise<MailIdentity | null>;
  }
  namespace idle {
    type IdleState = "active" | "idle" | "locked";
    function setDetectionInterval(intervalInSeconds: number): void;
    function queryState(detectionIntervalInSeconds: number): Promise<IdleState>;
    const onStateChanged: { addListener(cb: (newState: IdleState) => void): void };
  }
  /** Optional host permissions (manifest optional_host_permissions): granted from a page, on a click. */
  namespace permissions {
    interface Permissions { origins?: string[]; permissions?: string[] }
    function contains(p: Permissions): Promise<boolean>;
    function request(p: Permissions): Promise<boolean>;
    function remove(p: Permissions): Promise<boolean>;
    const onAdded: { addListener(cb: (p: Permissions) => void): void };
    const onRemoved: { addListener(cb: (p: Permissions) => void): void };
  }
  namespace alarms {
    interface Alarm { name: string; scheduledTime: number; periodInMinutes?: number }
    function create(name: string, info: { when?: number; delayInMinutes?: number; periodInMinutes?: number }): void;
    function get(name: string): Promise<Alarm | undefined>;
    function clear(name: string): Promise<boolean>;
    const onAlarm: { addListener(cb: (alarm: Alarm) => void): void };
  }
  /** Only to learn why one of our own requests failed (Gecko's reason: NS_ERROR_*, or NSS's text for TLS errors). */
  namespace webRequest {
    interface ErrorDetails { url: string; error: string; requestId: string; timeStamp: number }
    const onErrorOccurred: { addListener(cb: (d: ErrorDetails) => void, filter: { urls: string[] }): void };
  }
  /** compose.json (MV3), the parts the composer uses. */
  namespace compose {
    type ComposeRecipient = string | { id: string; type: "contact" | "mailingList" };
    type ComposeRecipientList = ComposeRecipient[];
    interface EncryptionProperties { name: "OpenPGP" | "S/MIME"; encryptBody?: boolean; signMessage?: boolean; encryptSubject?: boolean }
    interface ComposeDetails {
      from?: string;
      to?: ComposeRecipientList;
      cc?: ComposeRecipientList;
      bcc?: ComposeRecipientList;
      subject?: string;
      identityId?: string;
      type?: "draft" | "new" | "redirect" | "reply" | "forward";
      relatedMessageId?: number;
      selectedEncryptionTechnology?: EncryptionProperties;
      isPlainText?: boolean;
      body?: string;
      plainTextBody?: string;
    }
    interface ComposeAttachment { id: number; name: string; size?: number }
    function listAttachments(tabId: number): Promise<ComposeAttachment[]>;
    function removeAttachment(tabId: number, attachmentId: number): Promise<void>;
    function addAttachment(tabId: number, attachment: { file: File; name?: string }): Promise<ComposeAttachment>;
    interface SendInfo { mode: string; error?: string; messages: unknown[] }
    function getComposeDetails(tabId: number): Promise<ComposeDetails>;
    function setComposeDetails(tabId: number, details: Partial<ComposeDetails>): Promise<void>;
    const onBeforeSend: { addListener(cb: (tab: tabs.Tab, details: ComposeDetails) => Promise<{ cancel?: boolean; details?: ComposeDetails }> | { cancel?: boolean }): void };
    const onAfterSend: { addListener(cb: (tab: tabs.Tab, info: SendInfo) => void): void };
    const onIdentityChanged: { addListener(cb: (tab: tabs.Tab, identityId: string) => void): void };
    const onComposeStateChanged: { addListener(cb: (tab: tabs.Tab, state: { canSendNow: boolean; canSendLater: boolean }) => void): void };
  }
  namespace composeAction {
    interface TabDetails { tabId?: number }
    function setTitle(details: TabDetails & { title: string | null }): Promise<void>;
    function setLabel(details: TabDetails & { label: string | null }): Promise<void>;
    function setBadgeText(details: TabDetails & { text: string | null }): Promise<void>;
    function setBadgeBackgroundColor(details: TabDetails & { color: string | null }): Promise<void>;
    function setIcon(details: TabDetails & { path: string | Record<string, string> }): Promise<void>;
  }
  /** Sealbird's own experiment (src/experiments/compose-secure): signs/encrypts what a compose window sends. */
  namespace composeSecure {
    interface Config { active: boolean; sign: boolean; encrypt: boolean; messages?: Record<string, string> }
    function configure(tabId: number, config: Config): Promise<void>;
    function notify(tabId: number, text: string, level?: "info" | "warning"): Promise<void>;
    function ownCrypto(tabId: number): Promise<{ encrypt: boolean; sign: boolean; technology: "OpenPGP" | "S/MIME" }>;
    function sendNow(tabId: number): Promise<void>;
    function draftMessageId(tabId: number): Promise<number | null>;
    const onEncapsulate: { addListener(cb: (tabId: number, request: unknown) => Promise<unknown>): void };
  }
  /** Sealbird's own experiment (src/experiments/compose-controls): its Encrypt and Sign buttons in place of Thunderbird's own. */
  namespace composeControls {
    interface Control { checked: boolean; label: string; tooltip: string; disabled?: boolean }
    function show(tabId: number, controls: { encrypt: Control; sign: Control }): Promise<void>;
    function release(tabId: number): Promise<void>;
    const onCommand: { addListener(cb: (tabId: number, control: "encrypt" | "sign") => void): void };
  }
  /** Sealbird's own experiment (src/experiments/smime-display): keeps the message document when Thunderbird cannot decrypt S/MIME. */
  namespace smimeDisplay {
    function takeOver(): Promise<void>;
    function thunderbirdDecrypted(tabId: number): Promise<boolean>;
  }
  /** Sealbird's own experiment (src/experiments/message-header): one indicator, the protected Subject, no doomed OpenPGP attempt. */
  namespace messageHeader {
    interface OwnView { smimeSignature: string; smimeEncryption: string; openpgpSignature: string; openpgpEncryption: string }
    function claim(tabId: number, messageId: number, claim: { subject?: string }): Promise<boolean>;
    function ownView(tabId: number): Promise<OwnView>;
    function setListSubject(messageId: number, subject: string): Promise<void>;
    function skipOwnOpenPGP(keyIds: string[]): Promise<void>;
  }
  namespace downloads {
    function download(options: { url: string; filename?: string; saveAs?: boolean; conflictAction?: "uniquify" | "overwrite" | "prompt" }): Promise<number>;
    interface DownloadItem { id: number; filename: string; state: "in_progress" | "interrupted" | "complete"; error?: string }
    interface DownloadDelta { id: number; state?: { current?: DownloadItem["state"] }; error?: { current?: string } }
    function search(query: { id?: number }): Promise<DownloadItem[]>;
    const onChanged: { addListener(cb: (delta: DownloadDelta) => void): void; removeListener(cb: (delta: DownloadDelta) => void): void };
  }
  /** Sealbird's own experiment (src/experiments/ldap-directory): Thunderbird's LDAP address books, searched read-only. */
  namespace ldapDirectory {
    interface Directory { id: string; name: string; uri: string; needsLogin: boolean }
    interface Query { baseDn: string; scope: "base" | "one" | "sub"; filter: string; attributes: string[]; sizeLimit: number; timeoutMs: number }
    type Answer = { ok: true; entries: Array<{ dn: string; attributes: Record<string, string[]> }> } | { ok: false; code: string; message: string };
    function list(): Promise<Directory[]>;
    function search(id: string, query: Query): Promise<Answer>;
  }
  /** Sealbird's own experiment (src/experiments/message-source): a message's stored bytes, read natively; null without a folder. */
  namespace messageSource {
    function read(messageId: number): Promise<ArrayBuffer | null>;
  }
  /** Sealbird's own experiment (src/experiments/certdb): Thunderbird's NSS certificate store, read-only. */
  namespace certdb {
    interface Certificate { der: string; displayName: string }
    function getEmailRoots(): Promise<Certificate[]>;
    function getOwnCertificates(): Promise<Certificate[]>;
  }
}
