// Live "what already exists" suggestions beside the need form. The form
// works without this script: its "Check what already exists" button asks
// the server for the same list. Everything the server sends is written
// with textContent, never as HTML.
(function () {
  "use strict";
  var aside = document.getElementById("reuse");
  var box = document.getElementById("suggestions");
  var title = document.getElementById("title");
  var problem = document.getElementById("problem");
  if (!aside || !box || !title || !window.fetch) {
    return;
  }

  function json(attr) {
    try {
      return JSON.parse(aside.getAttribute(attr) || "{}");
    } catch (e) {
      return {};
    }
  }
  var units = json("data-units");
  var states = json("data-states");
  var kinds = json("data-kinds");
  var readable = (aside.getAttribute("data-readable") || "").split(",");
  var exclude = aside.getAttribute("data-exclude") || "";

  // A polite status line says what changed, instead of reading the list.
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  aside.appendChild(status);
  box.removeAttribute("aria-live");

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

  function money(amount, currency) {
    var n = Number(amount);
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency: currency }).format(n);
    } catch (e) {
      return currency + " " + n.toFixed(2);
    }
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function canOpen(departmentID) {
    return readable[0] === "all" || readable.indexOf(String(departmentID)) >= 0;
  }

  function stateClass(state) {
    if (["approved", "in_delivery", "delivered", "closed"].indexOf(state) >= 0) {
      return "label ok";
    }
    if (state === "rejected" || state === "withdrawn") {
      return "label warn";
    }
    return "label";
  }

  function services(list) {
    var out = [el("h3", "", "Services in the catalog")];
    if (!list.length) {
      out.push(el("p", "muted", "No service in the catalog matches these words."));
      return out;
    }
    var ul = el("ul", "suggest");
    ul.id = "suggest-services";
    list.forEach(function (s) {
      var li = el("li");
      var a = el("a", "", s.name);
      a.href = "/catalog/" + encodeURIComponent(s.slug);
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "muted", s.summary || ""));
      var facts = s.price_from
        ? "From " + money(s.price_from.amount, s.price_from.currency) + " " + (units[s.price_from.unit] || "")
        : "Price on request";
      if (s.consumers) {
        facts += " · used by " + plural(s.consumers, "department", "departments");
      }
      li.appendChild(el("span", "suggest-facts", facts));
      ul.appendChild(li);
    });
    out.push(ul);
    return out;
  }

  function needs(list) {
    var out = [el("h3", "", "Earlier needs")];
    if (!list.length) {
      out.push(el("p", "muted", "No earlier need from any department matches these words."));
      return out;
    }
    var ul = el("ul", "suggest");
    ul.id = "suggest-needs";
    list.forEach(function (n) {
      var li = el("li");
      if (canOpen(n.department_id)) {
        var a = el("a", "", n.title);
        a.href = "/needs/" + encodeURIComponent(n.reference);
        li.appendChild(a);
      } else {
        li.appendChild(el("strong", "", n.title));
      }
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "muted", n.reference));
      var facts = el("span", "suggest-facts", n.department_name + " · ");
      facts.appendChild(el("span", stateClass(n.state), states[n.state] || n.state));
      if (n.decision) {
        var kind = kinds[n.decision_kind] || "";
        var said = kind === "" || n.decision.toLowerCase().indexOf(kind.toLowerCase()) === 0;
        facts.appendChild(document.createTextNode(" · decided: " + (said ? n.decision : kind + ": " + n.decision)));
      }
      li.appendChild(facts);
      ul.appendChild(li);
    });
    out.push(ul);
    return out;
  }

  var timer = null;
  var inFlight = null;
  var last = null;

  function look() {
    var text = (title.value + " " + (problem ? problem.value : "")).trim();
    if (text.length < 3 || text === last) {
      return;
    }
    last = text;
    if (inFlight) {
      inFlight.abort();
    }
    inFlight = window.AbortController ? new AbortController() : null;
    var url = "/api/v1/needs-suggestions?limit=5&text=" + encodeURIComponent(text);
    if (exclude) {
      url += "&exclude=" + encodeURIComponent(exclude);
    }
    aside.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: inFlight ? inFlight.signal : undefined })
      .then(function (res) {
        if (!res.ok) {
          throw new Error("status " + res.status);
        }
        return res.json();
      })
      .then(function (data) {
        var s = data.services || [];
        var n = data.needs || [];
        box.replaceChildren.apply(box, services(s).concat(needs(n)));
        status.textContent = plural(s.length, "service", "services") + " and " + plural(n.length, "earlier need", "earlier needs") + " match.";
      })
      .catch(function () {
        // Keep what is shown; the button still asks the server.
        last = null;
      })
      .finally(function () {
        aside.removeAttribute("aria-busy");
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(look, 400);
  }
  title.addEventListener("input", later);
  if (problem) {
    problem.addEventListener("input", later);
  }
})();
