/**
 * Test helper, run in a child process (one C_Initialize per process): acts on the DNSKEY record
 * data object of a label with pkcs11js, as an attacker or another tool would.
 * argv[2] is JSON: { module, tokenLabel, pin (null: no login), label, action, flags }.
 * action "count": how many records of the label the session sees;
 * "set-flags": C_SetAttributeValue on CKA_VALUE with the flags rewritten;
 * "replace": destroy the record and create a new one (private, read-only) with the flags rewritten.
 * Prints JSON { result } or { error: "CKR_…" }.
 */
const pkcs11js = require("pkcs11js");

const args = JSON.parse(process.argv[2]);
const APPLICATION = "ksk-ceremony-toolkit DNSKEY";
const p11 = new pkcs11js.PKCS11();
p11.load(args.module);
p11.C_Initialize();
let out;
try {
  const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === args.tokenLabel);
  const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  if (args.pin !== null) p11.C_Login(session, pkcs11js.CKU_USER, args.pin);
  p11.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_APPLICATION, value: APPLICATION },
    { type: pkcs11js.CKA_LABEL, value: args.label },
  ]);
  const handles = p11.C_FindObjects(session, 10);
  p11.C_FindObjectsFinal(session);
  const withFlags = (handle) => {
    const value = Buffer.from(p11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }])[0].value);
    value.writeUInt16BE(args.flags, 0);
    return value;
  };
  if (args.action === "count") {
    out = { result: handles.length };
  } else if (args.action === "set-flags") {
    p11.C_SetAttributeValue(session, handles[0], [{ type: pkcs11js.CKA_VALUE, value: withFlags(handles[0]) }]);
    out = { result: "modified" };
  } else if (args.action === "replace") {
    const value = withFlags(handles[0]);
    p11.C_DestroyObject(session, handles[0]);
    p11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_MODIFIABLE, value: false },
      { type: pkcs11js.CKA_LABEL, value: args.label },
      { type: pkcs11js.CKA_APPLICATION, value: APPLICATION },
      { type: pkcs11js.CKA_VALUE, value },
    ]);
    out = { result: "replaced" };
  }
  p11.C_CloseSession(session);
} catch (e) {
  // pkcs11js names codes it does not know "CKR_VENDOR_DEFINED:<decimal>" (e.g. 27 = 0x1B,
  // CKR_ACTION_PROHIBITED of PKCS#11 2.40).
  const message = String(e && e.message);
  const unknown = /CKR_VENDOR_DEFINED:(\d+)/.exec(message);
  const named = { 27: "CKR_ACTION_PROHIBITED" }[unknown ? Number(unknown[1]) : -1];
  out = { error: named || (/CKR_[A-Z_]+/.exec(message) || [message])[0] };
} finally {
  p11.C_Finalize();
}
process.stdout.write(JSON.stringify(out));
