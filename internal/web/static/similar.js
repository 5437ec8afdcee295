// "Others asked this": the community topics like what is being typed — a
// new topic, or a new need in the front door — in the element #similar,
// whose data-inputs names the fields to read. The forms work without this
// script: their check buttons ask the server for the same list.
// Everything the server sends is written with textContent, never as HTML.
(function () {
  "use strict";
  var box = document.getElementById("similar");
  var ids = box ? (box.getAttribute("data-inputs") || "").split(" ") : [];
  var title = document.getElementById(ids[0] || "title");
  var body = document.getElementById(ids[1] || "body");
  if (!box || !title || !window.fetch) {
    return;
  }
  var kinds = { question: "Question", discussion: "Discussion", idea: "Idea" };
  var timer = null;
  var last = null;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function draw(items) {
    if (!items.length) {
      box.replaceChildren(el("p", "muted", "No earlier topic you may read matches these words."));
      return;
    }
    var ul = el("ul", "suggest");
    ul.id = "similar-topics";
    items.forEach(function (t) {
      var li = el("li");
      var a = el("a", "", t.title);
      a.href = t.path;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "muted", t.community_name));
      var facts = (kinds[t.kind] || t.kind) + " · " + t.replies + (t.replies === 1 ? " reply" : " replies");
      if (t.it_answered_at) {
        facts += " · IT answered";
      }
      if (t.accepted_reply_id) {
        facts += " · solved";
      }
      li.appendChild(el("span", "suggest-facts", facts));
      ul.appendChild(li);
    });
    box.replaceChildren(ul);
  }

  function look() {
    var text = (title.value + " " + (body ? body.value : "")).trim();
    if (text.length < 3 || text === last) {
      return;
    }
    last = text;
    fetch("/api/v1/topics-similar?limit=5&text=" + encodeURIComponent(text.slice(0, 1000)), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (res) {
        if (!res.ok) {
          throw new Error("status " + res.status);
        }
        return res.json();
      })
      .then(function (data) {
        draw(data.items || []);
      })
      .catch(function () {
        last = null;
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(look, 400);
  }
  title.addEventListener("input", later);
  if (body) {
    body.addEventListener("input", later);
  }
})();
