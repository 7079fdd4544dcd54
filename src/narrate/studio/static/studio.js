// narrate studio: playback with the sentence highlighted, live updates, the word fixes.
"use strict";
const csrf = document.querySelector('meta[name="studio-csrf"]').content;
const view = document.body.dataset.view;
const slug = document.body.dataset.slug;
const say = (text) => { document.getElementById("status").textContent = text; };
const alarm = (text) => { document.getElementById("alert").textContent = text; };

async function post(url, data) {
  const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json",
    "X-Studio-CSRF": csrf}, body: JSON.stringify(data || {}), credentials: "same-origin"});
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

// ------------------------------------------------------------------ events
const handlers = {changed: [], build: []};
function listen() {
  const events = new EventSource("/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "error" && (!event.slug || !slug || event.slug === slug)) alarm(event.message);
    if (event.type === "changed" && (!slug || event.slug === slug)) alarm("");
    if (event.type === "build") showBuild(event);
    for (const handler of handlers[event.type] || []) handler(event);
  };
}
function showBuild(event) {
  if (event.state === "started") say("Build started.");
  else if (event.state === "publication") say(`Building ${event.title}…`);
  else if (event.state === "progress") say(`${event.slug}: ${event.done} of ${event.total} sentences narrated`);
  else if (event.state === "done") say(event.ok ? `${event.slug}: built ${event.built.join(", ") || "nothing new"}`
                                                : `${event.slug} failed`);
  else if (event.state === "finished") say(event.failed.length ? `Build finished with ${event.failed.length} failure(s).`
                                                                : `Build finished in ${event.seconds} s.`);
  else if (event.state === "failed") { say("Build refused."); alarm(event.message); }
}

document.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-build]");
  if (button) post("/api/build", {slug: button.dataset.build}).then(() => say("Build queued."), (err) => alarm(err.message));
});

// ----------------------------------------------------------------- library
async function refreshLibrary() {
  const html = await (await fetch("/", {credentials: "same-origin"})).text();
  const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("library");
  if (fresh) document.getElementById("library").innerHTML = fresh.innerHTML;
}
if (view === "library") {
  handlers.build.push((e) => { if (e.state === "finished" || e.state === "done") refreshLibrary(); });
  handlers.changed.push(refreshLibrary);
  handlers.error = [refreshLibrary];
}

// ------------------------------------------------------------------ listen
const loaded = new Map();  // chapter id → its sentences
let current = null;  // the sentence button playing or last chosen
async function loadChapter(id) {
  const response = await fetch(`/api/pub/${encodeURIComponent(slug)}/chapter/${encodeURIComponent(id)}`,
                               {credentials: "same-origin"});
  const data = await response.json();
  if (!response.ok) { alarm(data.error || "cannot load the chapter"); return; }
  loaded.set(id, data.sentences);
  renderChapter(id, data.sentences);
}
function renderChapter(id, sentences) {
  const section = document.querySelector(`section.chapter[data-chapter="${CSS.escape(id)}"]`);
  const box = section.querySelector(".sentences"), heading = section.querySelector("h2");
  const playing = current && current.dataset.id;
  box.textContent = "";
  let paragraph = null, block = null;
  for (const s of sentences) {
    if (!s.text.trim()) continue;
    if (s.block === `${id}-h`) {  // the chapter's heading as read: the heading itself plays it
      paragraph = heading;
      heading.textContent = "";
      block = s.block;
    } else if (!paragraph || s.block !== block || !s.block) {
      paragraph = document.createElement("p");
      if (s.kind === "heading") paragraph.className = "said-heading";
      box.appendChild(paragraph);
      block = s.block;
    } else paragraph.appendChild(document.createTextNode(" "));
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sentence";
    button.dataset.id = s.id;
    button.dataset.clip = s.clip;
    button.dataset.chapter = id;
    button.textContent = s.text;
    paragraph.appendChild(button);
  }
  if (playing) {
    const again = box.querySelector(`button[data-id="${CSS.escape(playing)}"]`);
    if (again) mark(again);
  }
}
function mark(button) {
  if (current) { current.classList.remove("speaking"); current.removeAttribute("aria-current"); }
  current = button;
  button.classList.add("speaking");
  button.setAttribute("aria-current", "true");
  document.getElementById("now").textContent = button.textContent;
}
function play(button) {
  const player = document.getElementById("player");
  mark(button);
  if (!button.dataset.clip) { next(); return; }
  player.src = `/files/${button.dataset.clip}`;
  player.play().catch(() => {});
}
async function next() {
  const all = [...document.querySelectorAll("button.sentence")];
  const at = all.indexOf(current);
  if (at >= 0 && at + 1 < all.length) { play(all[at + 1]); return; }
  const chapters = [...document.querySelectorAll("section.chapter")];
  const here = chapters.findIndex((c) => c.dataset.chapter === (current && current.dataset.chapter));
  const following = chapters[here + 1];
  if (following && !loaded.has(following.dataset.chapter)) {
    await loadChapter(following.dataset.chapter);
    const first = following.querySelector("button.sentence");
    if (first) play(first);
  }
}
if (view === "listen" && document.getElementById("player")) {
  const first = document.querySelector("section.chapter");
  if (first) loadChapter(first.dataset.chapter);
  document.getElementById("player").addEventListener("ended", next);
  document.addEventListener("click", (e) => {
    const sentence = e.target.closest("button.sentence");
    if (sentence) { play(sentence); return; }
    const link = e.target.closest("a[data-chapter]");
    if (link) {
      e.preventDefault();
      const id = link.dataset.chapter;
      const section = document.getElementById(id);
      (loaded.has(id) ? Promise.resolve() : loadChapter(id)).then(() => {
        section.querySelector("h2").setAttribute("tabindex", "-1");
        section.querySelector("h2").focus();
        const first = section.querySelector("button.sentence");
        if (first) mark(first);
      });
    }
  });
  document.getElementById("play-all").addEventListener("click", () => {
    const start = current || document.querySelector("button.sentence");
    if (start) play(start);
  });
  handlers.changed.push((e) => { if (e.slug === slug) for (const id of loaded.keys()) loadChapter(id); });
}

// ------------------------------------------------------------------- words
// "Hear it": the sentence's audio (16-bit mono PCM) is played as it arrives, phrase by phrase,
// each part scheduled right after the one before; item.dataset.firstSound says when the first
// part was scheduled (ms after the click), item.dataset.heard that all of it arrived.
let sounding = null;  // the AudioContext, made on the first click (a user gesture)
let turn = 0, playing = [];  // the newest "hear it" silences any before it
async function hearNow(url, data, item, started) {
  const clicked = performance.now(), mine = ++turn;
  for (const source of playing) source.stop();
  playing = [];
  sounding = sounding || new AudioContext();
  await sounding.resume().catch(() => {});
  delete item.dataset.firstSound; delete item.dataset.heard;
  const response = await fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(data),
    headers: {"Content-Type": "application/json", "X-Studio-CSRF": csrf}});
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || response.statusText);
  const said = JSON.parse(decodeURIComponent(response.headers.get("X-Studio-Heard")));
  const reader = response.body.getReader();
  let at = 0, odd = null;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    if (mine !== turn) { reader.cancel(); return said; }
    let bytes = value;
    if (odd !== null) { bytes = new Uint8Array(value.length + 1); bytes[0] = odd; bytes.set(value, 1); odd = null; }
    if (bytes.length % 2) { odd = bytes[bytes.length - 1]; bytes = bytes.subarray(0, bytes.length - 1); }
    if (!bytes.length) continue;
    const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const buffer = sounding.createBuffer(1, samples.length, said.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
    const source = sounding.createBufferSource();
    source.buffer = buffer;
    source.connect(sounding.destination);
    at = Math.max(at, sounding.currentTime + 0.01);
    source.start(at);
    playing.push(source);
    at += buffer.duration;
    if (!item.dataset.firstSound) {
      item.dataset.firstSound = String(Math.round(performance.now() - clicked));
      started(said);
    }
  }
  item.dataset.heard = String(Math.round(performance.now() - clicked));
  return said;
}
if (view === "words") {
  document.addEventListener("click", async (e) => {
    const button = e.target.closest("form.fix button[data-action]");
    if (!button) return;
    const form = button.form, item = form.closest("li.word"), result = form.querySelector(".result");
    const data = {word: item.dataset.word, kind: form.elements.kind.value, value: form.elements.value.value,
                  segment: item.dataset.segment, chapter: item.dataset.chapter};
    try {
      if (button.dataset.action === "hear") {
        result.textContent = "Synthesizing the sentence…";
        const audio = form.querySelector("audio");
        audio.pause();
        const heard = await hearNow(`/api/pub/${encodeURIComponent(slug)}/hear/stream`, data, item, (said) => {
          result.textContent = `Playing: “${said.spoken}”` + (said.changed || !data.value ? "" :
            " (this voice reads the word as written: the entry does not change what it says)");
        });
        audio.src = heard.clip;  // the whole preview, to hear again with the player's controls
      } else {
        const saved = await post(`/api/pub/${encodeURIComponent(slug)}/lexicon`, data);
        result.textContent = `Saved in ${saved.saved}; the sentences that hold “${data.word}” are being made again.`;
      }
    } catch (err) { result.textContent = err.message; }
  });
}
listen();
