// The citizen's screen. Plain JavaScript, no third-party code. Every value from the daemon is
// put on the page with textContent, never as HTML, so nothing typed can ever run as code.
// The session token lives in this tab's sessionStorage: a reload resumes the citizen's session
// (the daemon refuses a new one while it runs without its token), a new browser starts over.

import { phrases, pinyinTable } from "/screen/pinyin-table.js";

const api = "/api/v1";
let token = sessionStorage.getItem("kiosk-session-token");
function setToken(value) {
  token = value;
  if (value) sessionStorage.setItem("kiosk-session-token", value);
  else sessionStorage.removeItem("kiosk-session-token");
}
let view = null;
let offer = null;
let remaining = null;
let lastActivityPost = 0;
// What the citizen typed but has not sent yet: kept across re-renders (an option tapped
// elsewhere on the form must not erase it), wiped with the session.
let drafts = {};
// Prefilled fields the citizen chose to correct (only those the view marks editable).
let editing = new Set();
const devices = new Map();

// Figures the benchmarks and end-to-end tests read.
window.kioskMetrics = { touches: 0, eventToDom: [], lastRender: 0, lastStep: "" };

const $ = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const button = (label, onClick, cls = "", extra = {}) =>
  el("button", { type: "button", class: cls, on: { click: onClick }, ...extra }, label);

async function call(method, path, body, extraHeaders = {}) {
  const headers = { "Content-Type": "application/json", ...extraHeaders };
  if (token) headers["X-Session-Token"] = token;
  const response = await fetch(api + path, {
    method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data?.error?.message || "操作未成功，请重试");
    error.code = data?.error?.code;
    error.fields = data?.error?.fields || {};
    error.status = response.status;
    throw error;
  }
  return data;
}

// One action at a time: a double tap on 提交 or a star must not send it twice.
let busy = false;
async function act(path, body) {
  if (busy) return;
  busy = true;
  try {
    show(await call("POST", "/session/" + path, body));
  } catch (error) {
    handleError(error);
  } finally {
    busy = false;
  }
}

function handleError(error) {
  // Ended (409), or no longer this screen's (403: replaced): back to the start.
  if (error.status === 409 || error.status === 403) return wipe();
  const box = document.querySelector("#screen .error-box");
  if (box) box.textContent = error.message;
  speak(spokenText(Object.values(error.fields || {})[0] || error.message));
  for (const [key, message] of Object.entries(error.fields || {})) {
    const slot = document.querySelector(`[data-problem="${CSS.escape(key)}"]`);
    if (slot) slot.textContent = message;
  }
}

// Everything of the session goes: memory, page, and (no-store) nothing was cached.
function wipe() {
  setToken(null);
  drafts = {};
  editing = new Set();
  shownKey = "";
  view = null;
  remaining = null;
  $("screen").replaceChildren();
  $("countdown").hidden = true;
  render();
}

let shownKey = "";
function show(next) {
  if (!next) return;
  if (next.token) setToken(next.token);
  if (view && next.sequence < view.sequence) return;
  if (next.step === "attract") return wipe();
  remaining = next.idle.remainingSeconds;
  // Unsent typing belongs to the person and the form it was typed in: another card, or
  // leaving the form, drops it.
  if (next.step !== "form" || next.alert === "card-changed" || (view && next.applicant !== view.applicant)) { drafts = {}; editing = new Set(); }
  // Redraw only when something visible changed: a redraw moves the focus and the caret,
  // which must not happen under a citizen's fingers because a timer or event came by.
  const key = JSON.stringify({ ...next, idle: null, sequence: null, token: null });
  view = next;
  if (key === shownKey) return;
  shownKey = key;
  render();
}

const stepNames = [["notice", "一次告知"], ["card", "读取身份证"], ["form", "填写表单"], ["materials", "材料"], ["review", "确认"], ["receipt", "回执"], ["rating", "评价"]];
const sourceNames = { id_card: "身份证", shared_data: "共享数据", earlier_application: "历史申报", citizen: "本人填写", situation: "您的回答", department: "由部门通过共享数据核实补全", waiting: "暂无共享数据：相关事项将在数据可用后继续办理" };
const choiceLabels = { provided: "现场提交", electronic: "电子调取", deferred: "容缺后补", window: "到窗口提交" };
// When and where a material that follows later is due: shown wherever the material is.
const dueNote = (m) => m.dueBy
  ? el("span", { class: "due", "data-due": m.id }, m.choice === "window" ? `请于${m.dueBy}前送交${m.place || "服务窗口"}` : `请于${m.dueBy}前补交`)
  : null;

// Spoken guidance (适老化, 无障碍): the step's title and what to do, errors and the wipe
// countdown, in Mandarin synthesised by kioskd (espeak-ng), which refuses anything personal.
// On by default in large-text mode; a touch anywhere stops it; 重听 says it again.
const stepGuidance = {
  attract: "请选择要办理的事项。", notice: "请阅读一次告知，回答问题后点击同意并开始办理。",
  card: "请将身份证放在读卡区。", form: "请核对表单，填写标红的内容，然后点击下一步。姓名可以用拼音或手写输入。",
  materials: "请选择每份材料的提交方式。", review: "请确认填写的内容并签名，然后提交。",
  receipt: "申请已提交，请取走回执和身份证。", rating: "请为本次服务评价。",
  progressCard: "请放置身份证，查询办理进度。", progress: "这是您的办理进度。",
};
const voice = { on: false, context: null, source: null, last: "", asked: 0 };
window.kioskMetrics.spoken = [];
window.kioskMetrics.speaking = false;
function stopSpeaking() {
  voice.asked += 1;  // an answer still on its way is not played
  if (voice.source) { try { voice.source.stop(); } catch {} voice.source = null; }
  window.kioskMetrics.speaking = false;
}
// `fallback`: what to say instead when kioskd refuses the text (a title that shows a personal value).
async function speak(text, fallback) {
  if (!voice.on || !text) return;
  stopSpeaking();
  voice.last = text;
  const mine = voice.asked;
  try {
    const response = await fetch(api + "/speech", {
      method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store", body: JSON.stringify({ text }),
    });
    if (response.status === 422 && fallback) return speak(fallback);
    if (!response.ok || mine !== voice.asked) return;
    voice.context ||= new AudioContext();
    const audio = await voice.context.decodeAudioData(await response.arrayBuffer());
    if (mine !== voice.asked) return;
    voice.source = voice.context.createBufferSource();
    voice.source.buffer = audio;
    voice.source.connect(voice.context.destination);
    voice.source.onended = () => { window.kioskMetrics.speaking = false; };
    voice.source.start();
    window.kioskMetrics.speaking = true;
    window.kioskMetrics.spoken.push({ text, seconds: audio.duration });
  } catch {
    // No voice (engine missing, audio device busy): the screen still says everything.
  }
}
const spokenText = (message) => String(message || "").replace(/\s*\([^)]*\)/g, "").trim();
function speakStep() {
  const step = view?.step || "attract";
  const title = document.querySelector("#screen h1")?.textContent || "";
  speak(spokenText(`${title}。${stepGuidance[step] || ""}`), stepGuidance[step]);
}
function setVoice(on) {
  voice.on = on;
  $("voice").setAttribute("aria-pressed", String(on));
  $("voice-repeat").hidden = !on;
  if (on) speakStep(); else stopSpeaking();
}

function render() {
  const screen = $("screen");
  const step = view?.step || "attract";
  $("steps").textContent = stepNames.map(([s, n]) => (s === step ? `【${n}】` : n)).join(" › ");
  $("steps").hidden = !view || step.startsWith("progress") || step.startsWith("query") || step === "certificate";
  $("network").textContent = networkBadge();
  const parts = [];
  if (view?.alert === "card-removed") parts.push(el("div", { class: "overlay", role: "alert" }, "身份证已移开。请将身份证放回读卡区继续办理，或点击“重新开始”。"));
  if (view?.alert === "card-changed") parts.push(el("div", { class: "overlay", role: "alert" }, "检测到另一张身份证，之前填写的内容已清除。"));
  if (view?.alert === "card-not-accepted" && view.cardRefusal) parts.push(el("div", { class: "overlay", role: "alert", "data-card-refusal": true }, view.cardRefusal));
  parts.push(...(screens[step] || screens.attract)());
  parts.push(el("p", { class: "error error-box", role: "alert" }));
  screen.replaceChildren(...parts.flat(Infinity).filter((part) => part instanceof Node));
  if (screen.dataset.step !== step) {
    screen.dataset.step = step;
    speakStep();
    if (step === "form") openFirstToType();
  }
  window.kioskMetrics.lastRender = performance.now();
  window.kioskMetrics.lastStep = step;
}

// Entering the form, the first field left to type has its keyboard open at once: the
// citizen's next touch is a letter, not a tap to find where to type. Only then, never on a
// redraw, so the focus never moves under a citizen's fingers.
function openFirstToType() {
  const input = [...document.querySelectorAll("#screen input[data-input]")].find((i) => !i.value && i.offsetParent !== null);
  if (input) input.focus();
}

// The header's word on the network: offline the kiosk still receives applications, unless its
// offline limits closed them (then the attract screen says why, and the badge agrees).
function networkBadge() {
  if (!offer || offer.online) return "";
  return offer.acceptingApplications === false ? "离线：暂停受理新申请" : "离线办理：可正常收件";
}

// Outside the hall's opening hours (the site profile's), the attract screen says it is closed
// and when it opens; the kiosk itself still answers whoever is there (staff, a late citizen).
const weekdays = { monday: "周一", tuesday: "周二", wednesday: "周三", thursday: "周四", friday: "周五", saturday: "周六", sunday: "周日" };
function hallClosedNotice() {
  if (!offer || offer.hallOpen !== false) return null;
  const hours = (offer.openingHours || []).map((line) => {
    const [day, periods] = line.split(": ");
    return `${weekdays[day] || day} ${periods === "closed" ? "闭厅" : periods.split(", ").join("、")}`;
  });
  return el("p", { class: "error", id: "hall-closed" }, `本大厅现已闭厅。开放时间：${hours.join("；")}`);
}

const restart = () => button("重新开始", () => act("end"), "", { "data-action": "end" });
const back = () => button("上一步", () => act("back"), "", { "data-action": "back" });

const screens = {
  attract() {
    const bundles = offer?.bundles || [];
    return [
      el("h1", {}, "欢迎使用政务服务自助终端"),
      el("p", { class: "lead" }, "选择要办理的“一件事”：一次告知、一张表单、一套材料、一次办结。"),
      offer && offer.acceptingApplications === false ? el("p", { class: "error", id: "intake-notice" }, offer.notice || "暂停受理新的申请。") : null,
      hallClosedNotice(),
      el("div", { class: "grid" },
        bundles.map((b) => button([b.name, el("small", {}, `${b.leadDepartment} 牵头 · ${b.items} 个事项`)],
          () => start(b.id), "tile", { "data-bundle": b.id, disabled: offer && offer.acceptingApplications === false }))),
      el("h2", {}, "查询打印"),
      el("div", { class: "grid" },
        button(["查询办理进度 / 补打回执", el("small", {}, "本终端办件，离线可用")], () => start(null), "tile", { "data-action": "progress" }),
        (offer?.queryServices || []).map((q) => button([q.name, el("small", {}, offer.online ? "联网查询" : "需联网")],
          () => query(q.id), "tile", { "data-service": q.id }))),
      bundles.length === 0 ? el("p", { class: "error" }, "事项目录暂不可用，请联系工作人员。") : null,
    ];
  },
  notice() {
    const m = view.materials || [];
    const group = (title, list, note) => list.length ? [el("h2", {}, title), el("ul", {}, list.map((x) => el("li", {}, x.name, x.original ? "（原件）" : "", note ? el("span", { class: "tag" }, note) : null)))] : [];
    // 问答式引导: one tap per question, before anything else; the notice below follows the answers.
    const questions = view.questions || [];
    const open = questions.filter((q) => !q.answer).length;
    return [
      el("h1", {}, view.bundle.name),
      view.bundle.cardTypes ? el("p", { class: "tag", "data-card-types": true }, `本事项须持${view.bundle.cardTypes.join("或")}办理`) : null,
      questions.length ? el("div", { class: "card questions" },
        el("h2", {}, "请先回答以下问题，表单只问与您有关的内容"),
        questions.map((q) => el("div", { class: "field", "data-question": q.id },
          el("label", {}, q.text),
          el("div", { class: "options" }, q.answers.map((a) =>
            button(a.label, () => act("answer", { question: q.id, answer: a.id }), q.answer === a.id ? "chosen" : "", { "data-answer": a.id })))))) : null,
      el("p", { class: "lead" }, `牵头部门：${view.bundle.leadDepartment}。一次办理以下 ${view.bundle.items.length} 个事项：`),
      el("ol", {}, view.bundle.items.map((i) => el("li", {}, `${i.name}（${i.department}，承诺 ${i.promisedDays}）`))),
      ...group("无需提交，由部门电子调取", m.filter((x) => x.allowed.includes("electronic")), "免提交"),
      ...group("请到窗口提交以下材料（本机无法收取）", m.filter((x) => x.allowed.includes("window"))),
      ...group("请准备以下材料", m.filter((x) => x.allowed.includes("provided") && !x.allowed.includes("deferred"))),
      ...group("可容缺后补（签署告知承诺书）", m.filter((x) => x.allowed.includes("deferred") && !x.allowed.includes("electronic"))),
      // 一人一档: the platform is asked for the citizen's shared data only with this consent.
      el("p", { class: "consent", "data-consent": true },
        "点击“同意并开始办理”，即授权本终端在读取您的身份证后，向政务服务平台查询您的共享数据和电子证照，仅用于预先填写本次表单。不同意也可以办理，需要您自己填写。"),
      el("div", { class: "actions" }, back(), restart(),
        button("不同意，我自己填写", () => act("notice", { consent: false }), "", { "data-action": "notice-decline", disabled: open > 0 }),
        button(open ? `请先回答上面的${open}个问题` : "同意并开始办理", () => act("notice"), "primary", { "data-action": "notice", disabled: open > 0 })),
    ];
  },
  card() {
    return [
      el("h1", {}, "请将身份证放在读卡区"),
      el("p", { class: "lead" }, "读取后自动填写您的基本信息，无需手动输入。身份证信息仅用于本次办理。"),
      el("div", { class: "actions" }, back(), restart()),
    ];
  },
  form() {
    const known = view.form.filter((f) => !f.asked && !editing.has(f.key));
    const asked = view.form.filter((f) => f.asked || editing.has(f.key));
    // A prefilled value may be corrected only where the kiosk will take the correction.
    const correct = (f) => f.editable
      ? button("修改", () => { editing.add(f.key); render(); }, "small", { "data-edit": f.key })
      : el("span", { class: "tag" }, "不可修改");
    return [
      el("h1", {}, "填写表单"),
      el("p", { class: "lead", "data-holder": view.onBehalf ? "agent" : "applicant" },
        `${view.onBehalf ? "代办人（监护人）" : "申请人"}：${view.applicant || ""}。以下 ${known.length} 项已自动填写，只需补充 ${asked.length} 项。`),
      view.onBehalf ? el("p", { class: "warn", "data-on-behalf": "" }, "您是代为办理：“申请人”各项请填写被代办人（被监护人）本人的信息，不要填写您自己的。") : null,
      skippedNote(),
      el("dl", { class: "known card" }, known.map((f) => [el("dt", {}, f.label),
        el("dd", {}, f.value, " ", el("span", { class: "tag ok" }, sourceNames[f.source] || ""), " ", correct(f))])),
      asked.map(fieldInput),
      el("div", { class: "actions" }, back(), restart(),
        button("下一步", submitForm, "primary", { "data-action": "form-next" })),
    ];
  },
  materials() {
    return [
      el("h1", {}, "一套材料"),
      el("p", { class: "lead" }, "每份材料只需提交一次，供所有事项共用。本机不收取纸质材料：需要原件的，请按下列日期补交或送到窗口。"),
      view.materials.map((m) => el("div", { class: "card material", "data-material": m.id },
        el("span", { class: "name" }, m.name, m.original ? "（原件）" : ""),
        m.allowed.length === 1
          ? el("span", { class: "tag chosen", "data-choice": m.allowed[0] }, choiceLabels[m.allowed[0]])
          : m.allowed.map((c) => button(choiceLabels[c], () => act("material", { material: m.id, choice: c }), m.choice === c ? "chosen" : "", { "data-choice": c })),
        dueNote(m))),
      view.needsPledge ? signaturePad() : null,
      el("div", { class: "actions" }, back(), restart(),
        button("下一步", () => act("materials/confirm"), "primary", { "data-action": "materials-next" })),
    ];
  },
  review() {
    return [
      el("h1", {}, "请确认"),
      el("p", { class: "lead" }, view.bundle.name),
      el("dl", { class: "known card" }, view.form.map((f) => [el("dt", {}, f.label),
        el("dd", {}, f.value ?? (["department", "waiting"].includes(f.source) ? sourceNames[f.source] : f.required === false ? "（未填写）" : ""))])),
      el("dl", { class: "known card" }, view.materials.map((m) => [el("dt", {}, m.name), el("dd", {}, choiceLabels[m.choice] || "", " ", dueNote(m))])),
      view.cardPresent ? null : el("p", { class: "overlay" }, "请将身份证放回读卡区后提交。"),
      el("div", { class: "actions" }, back(), restart(),
        button("确认提交", () => act("submit"), "primary", { "data-action": "submit" })),
    ];
  },
  receipt() {
    const r = view.receipt;
    const print = r.print || {};
    const status = {
      printing: el("p", { class: "lead", "data-print": "printing" }, "正在打印回执，请稍候……"),
      printed: el("p", { class: "lead", "data-print": "printed" }, "回执已打印，请取走回执和身份证。"),
      // The printer took the receipt but cannot say it printed: the citizen looks, and keeps the number.
      sent: el("p", { class: "lead", "data-print": "sent" }, "回执已送往打印机，请从出纸口取走回执和身份证；如未出纸，请记下上方的受理编号。"),
      failed: el("p", { class: "error", "data-print": "failed" }, "回执未能打印，请记下上方的受理编号。"),
    }[print.state];
    return [
      el("h1", {}, "提交成功"),
      el("p", {}, "受理编号："),
      el("p", { class: "receipt-number", "data-receipt": r.number }, r.number),
      status || el("div", { class: "card", "data-print": "on_screen" },
        el("p", { class: "overlay" }, "打印机暂时无法打印回执。请用手机拍下此二维码或记下受理编号，凭编号查询进度。"),
        el("img", { class: "qr", alt: "进度查询二维码", src: "data:image/svg+xml;base64," + btoa(print.qrSVG || "") })),
      el("h2", {}, "各事项承诺办结时间"),
      el("ul", {}, r.items.map((i) => el("li", i.waitsFor ? { "data-waiting": i.name } : {}, `${i.name}（${i.department}）`,
        i.promisedBy ? ` 承诺 ${i.promisedBy} 前办结` : "",
        // Offline, shared data this item cannot go without was not available: it proceeds once it is.
        i.waitsFor ? ` 待${i.waitsFor.join("、")}可用后继续办理，办结时间另行告知` : ""))),
      (view.materials || []).some((m) => m.dueBy) ? [el("h2", {}, "待补交材料"),
        el("ul", {}, view.materials.filter((m) => m.dueBy).map((m) => el("li", {}, m.name, "：", dueNote(m))))] : null,
      el("div", { class: "actions" }, button("完成，去评价", () => act("receipt/done"), "primary", { "data-action": "receipt-done" })),
    ];
  },
  rating() {
    const names = ["非常不满意", "不满意", "基本满意", "满意", "非常满意"];
    return [
      el("h1", {}, "请评价本次服务（好差评）"),
      el("div", { class: "actions stars" }, names.map((n, i) => button(`${"★".repeat(i + 1)} ${n}`, () => act("rate", { level: i + 1 }), "", { "data-rate": i + 1 }))),
    ];
  },
  // 查询打印: the card, the citizen's consent, then the certificate printed (or why not).
  query_card() {
    const c = view.certificate || {};
    return [
      el("h1", {}, c.serviceName || "查询打印"),
      c.holds ? el("p", { class: "lead" }, `本证明载明：${c.holds}。`) : null,
      el("p", { class: "lead" }, "请将身份证放在读卡区。"),
      view.cardRefusal ? el("p", { class: "error", role: "alert", "data-card-refusal": true }, view.cardRefusal) : null,
      el("div", { class: "actions" }, restart()),
    ];
  },
  query_consent() {
    const c = view.certificate || {};
    return [
      el("h1", {}, c.serviceName || "查询打印"),
      el("p", { class: "lead" }, `持证人：${view.applicant || ""}`),
      el("p", { class: "consent", "data-consent": true },
        `点击“同意查询并打印”，即授权本终端凭您的身份证向政务服务平台查询并打印“${c.serviceName || ""}”。证明仅打印给您本人，本终端不保存证明内容。`),
      el("div", { class: "actions" }, restart(),
        button("同意查询并打印", () => act("query/consent"), "primary", { "data-action": "query-consent" })),
    ];
  },
  certificate() {
    const c = view.certificate || {};
    const done = ["printed", "refused", "unreachable", "failed"].includes(c.state);
    return [
      el("h1", {}, c.serviceName || "查询打印"),
      el("p", { class: c.state === "printed" ? "lead ok" : done || c.state === "waiting" ? "error" : "lead", role: "status", "data-certificate-state": c.state },
        c.message || ""),
      c.preview ? el("dl", { class: "known card", "data-certificate-preview": true },
        c.preview.map((line) => [el("dt", {}, line.label), el("dd", {}, line.value)])) : null,
      c.verificationCode ? el("p", {}, `验证码：${c.verificationCode}`) : null,
      el("div", { class: "actions" },
        button(done ? "完成" : "结束查询", () => act("end"), done ? "primary" : "", { "data-action": "end" })),
    ];
  },
  progress_card() {
    return [
      el("h1", {}, "查询办理进度"),
      el("p", { class: "lead" }, "请将身份证放在读卡区。"),
      el("div", { class: "actions" }, restart()),
    ];
  },
  progress() {
    const cases = view.progress || [];
    return [
      el("h1", {}, `${view.applicant || ""} 的办件`),
      el("p", { class: "lead" }, offer && !offer.online ? "网络暂不可用，以下为本终端保存的最新状态。" : "以下为最新办理状态。"),
      cases.length === 0 ? el("p", {}, "本终端没有您的办件记录。") : null,
      cases.map((c) => el("div", { class: "card", "data-case": c.receiptNumber },
        el("h2", {}, c.bundleName),
        el("p", {}, `受理编号 ${c.receiptNumber}`),
        el("ul", {}, c.items.map((i) => el("li", { "data-item-state": i.state },
          `${i.name}：${i.label}`,
          i.reason ? el("span", { class: "reason" }, `（原因：${i.reason}）`) : null,
          i.promisedBy ? el("span", { class: "promised" }, `，承诺${i.promisedBy}前办结`) : null,
          resultPart(c, i)))),
        c.ready && !c.resultCollection ? el("p", { class: "tag ok" }, "有办结结果可领取，请到统一出件窗口或选择邮寄") : null,
        button(c.reprinted ? "已补打" : "补打回执", () => act("reprint", { receiptNumber: c.receiptNumber }), "", { disabled: c.reprinted }))),
      el("p", { class: "error-box", role: "alert" }),
      el("div", { class: "actions" }, button("退出", () => act("end"), "primary", { "data-action": "end" })),
    ];
  },
};

// 统一出件: where an item's ready result goes; printed here when the citizen chose 自助终端打印
// (again, 补打, once collected), with the print's progress in plain words.
function resultPart(c, i) {
  const r = i.result;
  if (!r) return null;
  const busy = ["downloading", "printing", "waiting"].includes(r.printState);
  return el("div", { class: "result", "data-result": i.id, "data-print-state": r.printState || "" },
    el("span", { class: "tag ok" }, r.notice),
    r.printable
      ? button(r.printed > 0 ? "补打办理结果" : "打印办理结果",
        () => act("results/print", { receiptNumber: c.receiptNumber, item: i.id }), "",
        { "data-action": "print-result", disabled: busy })
      : null,
    r.printMessage ? el("p", { class: r.printState === "printed" ? "ok" : "warn", "data-print-message": "" }, r.printMessage) : null);
}

// Which fields the citizen's answers left out, and why: the form is shorter, never mysterious.
function skippedNote() {
  const skipped = view.skipped || [];
  if (!skipped.length) return null;
  return el("details", { class: "card skipped", "data-skipped": skipped.length, open: true },
    el("summary", {}, `根据您的回答，以下 ${skipped.length} 项无需填写`),
    el("ul", {}, skipped.map((s) => el("li", { "data-skipped-field": s.key }, s.label, el("span", { class: "reason" }, `（因为您选择了“${s.reason}”）`)))));
}

function fieldInput(f) {
  const problem = el("div", { class: "problem", "data-problem": f.key });
  const label = f.required === false ? `${f.label}（选填）` : f.label;
  if (f.type === "multi_enum") {
    // Several may apply: each tap adds or removes one, the rest stay chosen.
    const chosen = new Set((f.value || "").split("、").filter(Boolean));
    const toggle = (o) => {
      const next = new Set(chosen);
      if (next.has(o)) next.delete(o); else next.add(o);
      return act("form", { values: { [f.key]: f.options.filter((x) => next.has(x)).join("、") } });
    };
    return el("div", { class: "field", "data-field": f.key },
      el("label", {}, label, el("small", {}, "（可多选）")),
      el("div", { class: "options" }, f.options.map((o) => button(o, () => toggle(o), chosen.has(o) ? "chosen" : "", { "data-option": o }))),
      problem);
  }
  if (f.type === "text" || f.type === "person_name") return textField({ ...f, label }, problem);
  if (f.options) {
    return el("div", { class: "field", "data-field": f.key },
      el("label", {}, label),
      el("div", { class: "options" }, f.options.map((o) =>
        button(o, () => act("form", { values: { [f.key]: o } }), f.value === o ? "chosen" : "", { "data-option": o }))),
      problem);
  }
  const numeric = ["phone", "number", "id_number", "social_security_number"].includes(f.type);
  const input = el("input", {
    id: "field-" + f.key, name: f.key, "data-input": f.key, autocomplete: "off", spellcheck: "false",
    inputmode: numeric ? "numeric" : "text", maxlength: f.type === "text" ? 200 : 40,
    placeholder: f.type === "date" ? "例如 2026-11-20" : "",
  });
  // A masked number (read from a source) is never put back as the value to correct.
  input.value = drafts[f.key] ?? (f.value && !f.value.includes("*") ? f.value : "");
  input.addEventListener("input", () => { drafts[f.key] = input.value; });
  const type = (k) => { input.value = k === "⌫" ? input.value.slice(0, -1) : input.value + k; drafts[f.key] = input.value; };
  // A 2017 foreigner card's number begins with three letters: the keypad offers them on request.
  const letters = f.type === "id_number" ? el("div", { class: "keypad", hidden: true, "data-letters": f.key },
    [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"].map((k) => button(k, () => type(k), "", { "data-letter-key": k }))) : null;
  const keypad = numeric ? el("div", { class: "keypad" },
    [..."123456789", ...(["id_number", "social_security_number"].includes(f.type) ? "X" : ""), "0", "⌫"].map((k) => button(k, () => type(k), "", { "data-key": k })),
    letters ? button("ABC", () => { letters.hidden = !letters.hidden; }, "", { "data-key": "letters" }) : null) : null;
  return el("div", { class: "field", "data-field": f.key }, el("label", { for: input.id }, label), input, keypad, letters, problem);
}

// A text field with the kiosk's own pinyin keyboard (the screen has no system input method):
// letters make a syllable or a whole given name, a tap on a candidate adds it. The table holds
// the 8,105 characters of the 通用规范汉字表, so a syllable's rarer characters are a page or
// two further (更多). A name field also has the middle dot of minority names.
function textField(f, problem) {
  const input = el("input", {
    id: "field-" + f.key, name: f.key, "data-input": f.key, autocomplete: "off", spellcheck: "false", maxlength: 200,
  });
  input.value = drafts[f.key] ?? f.value ?? "";
  input.addEventListener("input", () => { drafts[f.key] = input.value; });
  const holder = el("div", { class: "pinyin", "data-pinyin": f.key, hidden: true });
  input.addEventListener("focus", () => {
    for (const other of document.querySelectorAll("[data-pinyin]")) other.hidden = other !== holder;
    if (!holder.firstChild) holder.append(...inputMethods(input, f.key, f.type === "person_name"));
    holder.hidden = false;
  });
  return el("div", { class: "field", "data-field": f.key }, el("label", { for: input.id }, f.label), input, holder, problem);
}

const candidatesPerPage = 24;

// What the letters typed so far may mean, best first: a whole given name, the syllable's
// characters, then characters of longer syllables that begin with these letters.
function pinyinCandidates(typed) {
  if (!typed) return [];
  const found = [...(phrases[typed] || [])];
  if (typed.length >= 4) {
    for (const [reading, names] of Object.entries(phrases)) {
      if (reading !== typed && reading.startsWith(typed)) found.push(...names.slice(0, 1));
      if (found.length >= 6) break;
    }
  }
  found.push(...(pinyinTable[typed] || ""));
  for (const [reading, characters] of Object.entries(pinyinTable)) {
    if (reading !== typed && reading.startsWith(typed)) found.push(...[...characters].slice(0, 3));
  }
  return [...new Set(found)];
}

function pinyinKeyboard(input, key, name) {
  let typed = "";
  let page = 0;
  const shown = el("span", { class: "typed", "data-typed": true });
  const candidates = el("div", { class: "candidates" });
  const set = (value) => { input.value = value; drafts[key] = value; };
  const refresh = () => {
    shown.textContent = typed;
    const found = pinyinCandidates(typed);
    const pages = Math.max(1, Math.ceil(found.length / candidatesPerPage));
    page = Math.min(page, pages - 1);
    candidates.replaceChildren(
      ...found.slice(page * candidatesPerPage, (page + 1) * candidatesPerPage).map((c) =>
        button(c, () => { set(input.value + c); typed = ""; page = 0; refresh(); }, "candidate", { "data-candidate": c })),
      pages > 1 ? button(`更多 ${page + 1}/${pages}`, () => { page = (page + 1) % pages; refresh(); }, "more", { "data-candidates-more": true }) : null);
  };
  const letters = ["qwertyuiop", "asdfghjkl", "zxcvbnm"].map((row) => el("div", { class: "row" },
    [...row].map((k) => button(k, () => { if (typed.length < 12) typed += k; page = 0; refresh(); }, "", { "data-letter": k }))));
  const erase = button("⌫", () => {
    if (typed) typed = typed.slice(0, -1); else set([...input.value].slice(0, -1).join(""));
    page = 0;
    refresh();
  }, "", { "data-letter": "back" });
  // The ID card's separator of a minority name's parts (U+00B7), never a look-alike.
  const dot = name ? button("·", () => { set(input.value + "·"); }, "", { "data-letter": "middle-dot", "aria-label": "间隔号" }) : null;
  return [el("div", { class: "row" }, el("span", {}, "拼音："), shown), candidates, ...letters, el("div", { class: "row" }, dot, erase)];
}

// Pinyin, or handwriting on a pad (kioskd recognises it): a tab each, pinyin first.
function inputMethods(input, key, name) {
  const pinyin = el("div", { "data-method": "pinyin" }, ...pinyinKeyboard(input, key, name));
  const handwriting = el("div", { "data-method": "handwriting", hidden: true }, ...handwritingPad(input, key));
  const tab = (label, shown, hidden) => button(label, () => {
    shown.hidden = false; hidden.hidden = true;
    for (const t of tabs.children) t.classList.toggle("chosen", t === tabs.querySelector(`[data-tab='${label}']`));
  }, "", { "data-tab": label });
  const tabs = el("div", { class: "row tabs" }, tab("拼音", pinyin, handwriting), tab("手写", handwriting, pinyin));
  tabs.firstChild.classList.add("chosen");
  return [tabs, pinyin, handwriting];
}

// The handwriting pad: each stroke (finger or mouse, through pointer events, so the touch
// driver's calibrated taps work as they do everywhere) is sent with the ones before it, and
// the candidates change as the character grows. A tap on one adds it and clears the pad.
const padSize = 300;
function handwritingPad(input, key) {
  const canvas = el("canvas", { class: "handwriting", width: padSize, height: padSize, "data-handwriting": key });
  const context = canvas.getContext("2d");
  context.lineWidth = 6;
  context.lineCap = "round";
  context.lineJoin = "round";
  const candidates = el("div", { class: "candidates", "data-handwriting-candidates": key });
  let strokes = [];
  let stroke = null;
  let asked = 0;
  const set = (value) => { input.value = value; drafts[key] = value; };
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    const x = Math.round((e.clientX - r.left) * (padSize / r.width));
    const y = Math.round((e.clientY - r.top) * (padSize / r.height));
    return [Math.max(0, Math.min(padSize, x)), Math.max(0, Math.min(padSize, y))];
  };
  const clear = () => {
    strokes = [];
    context.clearRect(0, 0, padSize, padSize);
    candidates.replaceChildren();
  };
  const recognise = async () => {
    const mine = ++asked;
    try {
      const answer = await fetch(api + "/handwriting", {
        method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store",
        body: JSON.stringify({ width: padSize, height: padSize, strokes }),
      });
      const data = await answer.json();
      if (mine !== asked) return;  // a later stroke's answer is on its way
      candidates.replaceChildren(...(data.candidates || []).map((c) =>
        button(c, () => { set(input.value + c); clear(); }, "candidate", { "data-candidate": c })));
    } catch {
      candidates.replaceChildren(el("span", {}, "手写识别暂不可用，请用拼音输入"));
    }
  };
  canvas.addEventListener("pointerdown", (e) => {
    // Keep the stroke when the finger slides off the pad (not every pointer can be captured).
    try { canvas.setPointerCapture(e.pointerId); } catch {}
    stroke = [point(e)];
    context.beginPath();
    context.moveTo(...stroke[0]);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!stroke) return;
    const p = point(e);
    const last = stroke[stroke.length - 1];
    if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 3) return;
    stroke.push(p);
    context.lineTo(...p);
    context.stroke();
  });
  const end = () => {
    if (!stroke) return;
    strokes.push(stroke);
    stroke = null;
    recognise();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  const erase = button("⌫", () => set([...input.value].slice(0, -1).join("")), "", { "data-handwriting-key": "back" });
  return [candidates, canvas, el("div", { class: "row" }, button("重写", clear, "", { "data-handwriting-key": "clear" }), erase)];
}

async function submitForm() {
  if (busy) return;
  busy = true;
  try { await sendForm(); } finally { busy = false; }
}

async function sendForm() {
  const values = {};
  const known = Object.fromEntries((view?.form || []).map((f) => [f.key, f.value]));
  for (const input of document.querySelectorAll("#screen input[data-input]")) {
    // Only what changed: a value the kiosk already holds is not sent again.
    if (input.value.trim() !== "" && input.value !== known[input.name]) values[input.name] = input.value;
  }
  try {
    if (Object.keys(values).length) show(await call("POST", "/session/form", { values }));
    drafts = {};
    show(await call("POST", "/session/form/confirm"));
  } catch (error) {
    handleError(error);
  }
}

function signaturePad() {
  const canvas = el("canvas", { class: "signature", width: 800, height: 220, "data-signature": true });
  const context = canvas.getContext("2d");
  context.lineWidth = 4;
  context.lineCap = "round";
  let drawing = false;
  let drawn = false;
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  canvas.addEventListener("pointerdown", (e) => { drawing = true; drawn = true; context.beginPath(); context.moveTo(...point(e)); });
  canvas.addEventListener("pointermove", (e) => { if (drawing) { context.lineTo(...point(e)); context.stroke(); } });
  canvas.addEventListener("pointerup", () => { drawing = false; });
  const save = async () => {
    if (!drawn) return handleError(new Error("请先在框内签名"));
    const png = canvas.toDataURL("image/png").split(",")[1];
    await act("sign", { png });
  };
  // What is pledged, each with its date: the citizen signs for these, not for a vague "term".
  const owed = (view.materials || []).filter((x) => x.choice === "deferred");
  return el("div", { class: "card" },
    el("h2", {}, "告知承诺书"),
    el("p", {}, "本人承诺在以下期限前补交容缺材料，逾期未补交的，相关事项将不予办理："),
    el("ul", { "data-pledged": true }, owed.map((x) => el("li", { "data-pledged-material": x.id }, `${x.name}：${x.dueBy || ""} 前补交`))),
    view.signed ? el("p", { class: "tag ok", "data-signed": true }, "已签名") : canvas,
    view.signed ? null : el("div", { class: "actions" },
      button("清除", () => { context.clearRect(0, 0, canvas.width, canvas.height); drawn = false; }),
      button("确认签名", save, "", { "data-action": "sign" })));
}

// A query service: a visit starts, or the daemon says why it cannot be done here now (offline,
// no printer), before any card is placed.
async function query(id) {
  try {
    show(await call("POST", "/services/" + encodeURIComponent(id)));
  } catch (error) {
    if (error.status === 409 || error.status === 403) return wipe();
    const box = document.querySelector("#screen .error-box");
    if (box) box.textContent = error.message;
  }
}

async function start(bundle) {
  try {
    // The running session's token (if any) goes along: only its owner may replace it.
    show(await call("POST", "/session", { bundle }));
  } catch (error) {
    handleError(error);
  }
}

// Device problems in words a citizen can act on.
function deviceProblems() {
  const words = [];
  for (const d of devices.values()) {
    if (["online", "busy", "idle"].includes(d.state)) continue;
    const fault = d.fault?.code || d.state;
    if (d.kind === "receipt-printer" || d.kind === "printer") {
      words.push(fault.startsWith("media-empty") ? "打印机缺纸：回执将显示在屏幕上，可拍照保存。" : "打印机暂不可用：回执将显示在屏幕上。");
    } else if (d.kind === "idcard") {
      words.push("身份证读卡器暂不可用，请联系现场工作人员。");
    } else if (d.kind === "touch") {
      words.push("触摸屏异常，请联系现场工作人员。");
    }
  }
  const banner = $("devices");
  banner.textContent = [...new Set(words)].join(" ");
  banner.hidden = words.length === 0;
}

function listen() {
  const events = new EventSource(api + "/events");
  events.addEventListener("device.snapshot", (e) => {
    for (const d of JSON.parse(e.data).devices) devices.set(d.id, d);
    deviceProblems();
    renderDemoDevices();
  });
  events.addEventListener("device.status", (e) => {
    // Only what changed arrives: merge it into the device's last known status.
    const change = JSON.parse(e.data);
    const d = { ...(devices.get(change.id) || { id: change.id, kind: change.kind }) };
    if (change.state) d.state = change.state;
    if (change.fault) d.fault = change.fault;
    if (change.faultCleared) d.fault = null;
    devices.set(change.id, d);
    deviceProblems();
  });
  events.addEventListener("session.changed", async (e) => {
    const change = JSON.parse(e.data);
    if (change.reason === "intake" || change.reason === "services") {
      // Applications opened or closed (offline limits, storage, maintenance): the attract screen says so at once.
      try { offer = await call("GET", "/offer"); } catch { return; }
      if (!token) render();
      if (maintenanceToken) refreshMaintenance();
      return;
    }
    if (!token) return;
    try {
      show(await call("GET", "/session"));
    } catch (error) {
      if (error.status === 409 || error.status === 403) wipe();
      return;
    }
    const lag = Date.now() - change.atMilliseconds;
    window.kioskMetrics.eventToDom.push(lag);
    if (window.kioskMetrics.eventToDom.length > 1000) window.kioskMetrics.eventToDom.shift();
  });
  // A technician calibrating the panel (kioskctl touch calibrate): one target at a time.
  events.addEventListener("touch.calibration", (e) => {
    const step = JSON.parse(e.data);
    const sheet = $("calibration");
    sheet.hidden = step.state !== "target";
    if (step.state !== "target") return;
    const target = $("calibration-target");
    target.style.left = `${step.x * 100}vw`;
    target.style.top = `${step.y * 100}vh`;
    $("calibration-text").textContent = `触摸屏校准：请准确点击十字中心（${step.index} / ${step.total}）`;
  });
  events.onerror = () => { $("network").textContent = "正在重新连接……"; };
  events.onopen = async () => {
    $("network").textContent = networkBadge();
    // Events sent while the stream was down are lost: ask the session where it stands.
    if (!token) return;
    try { show(await call("GET", "/session")); } catch (error) { if (error.status === 409 || error.status === 403) wipe(); }
  };
}

function tick() {
  if (maintenanceToken && maintenance?.on) maintenanceClock();
  if (!view || remaining === null) return;
  remaining = Math.max(0, remaining - 1);
  const box = $("countdown");
  const wasHidden = box.hidden;
  box.hidden = remaining > view.idle.countdownSeconds;
  $("countdown-seconds").textContent = String(remaining);
  if (wasHidden && !box.hidden) speak(`您已较长时间未操作，${remaining}秒后将自动退出并清除所填信息。`);
  if (remaining === 0) wipe();
}

async function activity() {
  window.kioskMetrics.touches += 1;
  if (!token || Date.now() - lastActivityPost < 3000) return;
  lastActivityPost = Date.now();
  try { show(await call("POST", "/session/activity")); } catch (error) { if (error.status === 409 || error.status === 403) wipe(); }
}

async function demoPanel() {
  let panel;
  try { panel = await call("GET", "/demo"); } catch { return; }
  $("demo").hidden = false;
  $("demo-cards").replaceChildren(...panel.cards.map((c) =>
    button("放置：" + c.label, () => call("POST", "/demo/card/place/" + encodeURIComponent(c.id)), "", { "data-demo-card": c.id })));
  $("demo-lift").addEventListener("click", () => call("POST", "/demo/card/lift"));
  renderDemoDevices(panel.conditions);
}

let demoConditions = [];
function renderDemoDevices(conditions) {
  if (conditions) demoConditions = conditions;
  if ($("demo").hidden) return;
  const names = { "paper-out": "缺纸", "paper-in": "装纸", unplug: "拔出", plug: "插回" };
  $("demo-devices").replaceChildren(...[...devices.values()].filter((d) => d.kind !== "touch").map((d) =>
    el("div", {}, el("strong", {}, d.id),
      demoConditions.filter((c) => d.kind.includes("printer") || ["unplug", "plug"].includes(c)).map((c) =>
        button(names[c] || c, () => call("POST", `/demo/device/${encodeURIComponent(d.id)}/${c}`), "", { "data-demo-device": `${d.id}:${c}` })))));
}

async function boot() {
  document.addEventListener("pointerdown", activity, { capture: true });
  $("countdown-continue").addEventListener("click", () => { lastActivityPost = 0; activity(); });
  $("large-text").addEventListener("click", () => {
    const on = document.body.classList.toggle("large");
    $("large-text").setAttribute("aria-pressed", String(on));
    if (on !== voice.on) setVoice(on);
  });
  // Any touch stops the voice at once (before the tap does anything else).
  document.addEventListener("pointerdown", stopSpeaking, { capture: true });
  $("voice").addEventListener("click", () => setVoice(!voice.on));
  $("voice-repeat").addEventListener("click", () => speak(voice.last));
  try { offer = await call("GET", "/offer"); } catch { offer = { bundles: [], online: false }; }
  render();
  maintenanceEntrance();
  if (maintenanceToken) refreshMaintenance();
  listen();
  demoPanel();
  setInterval(tick, 1000);
}

// Maintenance mode, for technicians: a three-second press on the header's title (a citizen's
// tap does nothing) opens a form for the name, the PIN and the platform's maintenance code,
// typed on the screen's own keypad. The daemon checks both factors, refuses while a citizen's
// session runs, and ends maintenance by itself at its time bound.
let maintenanceToken = sessionStorage.getItem("kiosk-maintenance-token");
let maintenance = null;
function setMaintenanceToken(value) {
  maintenanceToken = value;
  if (value) sessionStorage.setItem("kiosk-maintenance-token", value);
  else sessionStorage.removeItem("kiosk-maintenance-token");
}

function maintenanceEntrance() {
  const brand = document.querySelector(".bar .brand");
  let timer = null;
  const cancel = () => { clearTimeout(timer); timer = null; };
  brand.addEventListener("pointerdown", () => {
    if (token || maintenanceToken) return;
    timer = setTimeout(() => { timer = null; maintenanceForm(); }, 3000);
  });
  for (const ev of ["pointerup", "pointerleave", "pointercancel"]) brand.addEventListener(ev, cancel);
}

function closeMaintenance() {
  $("maintenance").hidden = true;
  $("maintenance").replaceChildren();
}

function maintenanceForm() {
  const sheet = $("maintenance");
  const values = { technician: "", pin: "", code: "" };
  const inputs = {};
  let field = "technician";
  const choose = (key) => {
    field = key;
    for (const [k, input] of Object.entries(inputs)) input.classList.toggle("active", k === key);
  };
  const row = (key, label, secret) => {
    const input = el("input", { id: "maintenance-" + key, "data-maintenance": key, inputmode: "none", autocomplete: "off", type: secret ? "password" : "text" });
    input.addEventListener("focus", () => choose(key));
    input.addEventListener("input", () => { values[key] = input.value; });
    inputs[key] = input;
    return el("div", { class: "field" }, el("label", { for: input.id }, label), input);
  };
  const type = (k) => {
    values[field] = k === "⌫" ? values[field].slice(0, -1) : values[field] + k;
    inputs[field].value = values[field];
  };
  const problem = el("p", { class: "error", role: "alert", "data-maintenance-error": true });
  const enter = async () => {
    try {
      const answer = await call("POST", "/maintenance/enter", values);
      setMaintenanceToken(answer.token);
      maintenance = answer;
      maintenancePage();
    } catch (error) {
      problem.textContent = error.message;
      values.pin = ""; inputs.pin.value = "";
    }
  };
  sheet.replaceChildren(
    el("h1", {}, "技术人员维护登录"),
    el("p", { class: "lead" }, "请输入工号、个人密码和平台签发的维护码。维护期间本终端暂停受理新的申请。"),
    el("div", { class: "maintenance-form" },
      el("div", {},
        row("technician", "工号"), row("pin", "个人密码", true), row("code", "维护码（8位）", true),
        problem,
        el("div", { class: "actions" },
          button("取消", closeMaintenance, "", { "data-action": "maintenance-cancel" }),
          button("进入维护", enter, "primary", { "data-action": "maintenance-enter" }))),
      el("div", {},
        el("div", { class: "keypad" }, [..."1234567890", "⌫"].map((k) => button(k, () => type(k), "", { "data-maintenance-key": k }))),
        el("div", { class: "keypad letters" }, [..."abcdefghijklmnopqrstuvwxyz"].map((k) => button(k, () => type(k), "", { "data-maintenance-key": k }))))));
  sheet.hidden = false;
  choose("technician");
}

function maintenancePage() {
  const sheet = $("maintenance");
  const problem = el("p", { class: "error", role: "alert" });
  const leave = async () => {
    try { await call("POST", "/maintenance/leave", {}, { "X-Maintenance-Token": maintenanceToken }); } catch (error) { if (error.status !== 403) { problem.textContent = error.message; return; } }
    setMaintenanceToken(null);
    maintenance = null;
    closeMaintenance();
  };
  sheet.replaceChildren(
    el("h1", {}, "维护模式"),
    el("p", { class: "lead", id: "maintenance-who" }, `技术人员：${maintenance.technician}`),
    el("p", { id: "maintenance-left" }),
    el("p", {}, "本终端暂停受理新的申请；群众看到“本终端正在维护”。到时自动退出维护。"),
    problem,
    el("div", { class: "actions" }, button("退出维护", leave, "primary", { "data-action": "maintenance-leave" })));
  sheet.hidden = false;
  maintenanceClock();
}

function maintenanceClock() {
  const seconds = Math.max(0, Math.round((new Date(maintenance.until) - Date.now()) / 1000));
  const left = $("maintenance-left");
  if (left) left.textContent = `剩余 ${Math.floor(seconds / 60)} 分 ${seconds % 60} 秒`;
  if (seconds === 0) refreshMaintenance();
}

// Where maintenance stands (it may have ended by its bound while the page was away).
async function refreshMaintenance() {
  try { maintenance = await call("GET", "/maintenance"); } catch { return; }
  if (maintenance.on) { if ($("maintenance").hidden || !$("maintenance-left")) maintenancePage(); return; }
  setMaintenanceToken(null);
  maintenance = null;
  closeMaintenance();
}

boot();
