// Cloud bill upload with a progress bar. The form works without this
// script (a plain multipart upload). With it, the file is sent as the
// request body, which the server imports as it arrives: the bar shows how
// much of the file has been imported. When the upload is done, the
// browser goes to the import's report. Messages from the server are
// written with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("cloud-upload");
  var input = document.getElementById("file");
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var status = document.getElementById("upload-status");
  if (!form || !input || !box || !bar || !status || !window.XMLHttpRequest || !window.JSON) {
    return;
  }
  var button = form.querySelector('button[type="submit"]');

  function value(name) {
    var field = form.elements[name];
    if (!field) {
      return "";
    }
    if (field.length !== undefined && !field.options) {
      for (var i = 0; i < field.length; i++) {
        if (field[i].checked) {
          return field[i].value;
        }
      }
      return "";
    }
    if (field.type === "checkbox") {
      return field.checked ? field.value : "";
    }
    return field.value;
  }

  function size(n) {
    if (n >= 1 << 30) {
      return (n / (1 << 30)).toFixed(1) + " GiB";
    }
    if (n >= 1 << 20) {
      return (n / (1 << 20)).toFixed(1) + " MiB";
    }
    return Math.max(1, Math.round(n / 1024)) + " KiB";
  }

  // showErrors lists what went wrong above the form, as the server does.
  function showErrors(errors) {
    var old = document.getElementById("upload-errors");
    if (old) {
      old.parentNode.removeChild(old);
    }
    var summary = document.createElement("div");
    summary.id = "upload-errors";
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    var h = document.createElement("h2");
    h.textContent = "There is a problem";
    summary.appendChild(h);
    var ul = document.createElement("ul");
    errors.forEach(function (e) {
      var li = document.createElement("li");
      if (e.field && document.getElementById(e.field)) {
        var a = document.createElement("a");
        a.href = "#" + e.field;
        a.textContent = e.message;
        li.appendChild(a);
      } else {
        li.textContent = e.message;
      }
      ul.appendChild(li);
    });
    summary.appendChild(ul);
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  function done() {
    box.hidden = true;
    button.disabled = false;
  }

  form.addEventListener("submit", function (ev) {
    var file = input.files && input.files[0];
    if (!file) {
      return; // the server says what is missing
    }
    ev.preventDefault();
    var query = ["name=" + encodeURIComponent(file.name)];
    ["basis", "dates", "currency", "accept_partial"].forEach(function (name) {
      query.push(name + "=" + encodeURIComponent(value(name)));
    });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-stream") + "?" + query.join("&"));
    xhr.setRequestHeader("X-CSRF-Token", value("csrf_token"));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    status.textContent = "Importing " + file.name + "…";
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable && e.total > 0) {
        bar.value = Math.floor((100 * e.loaded) / e.total);
        status.textContent = "Imported " + size(e.loaded) + " of " + size(e.total) + " (" + bar.value + "%).";
      }
    };
    xhr.upload.onload = function () {
      bar.removeAttribute("value"); // the import's last rows are being saved
      status.textContent = "File received; saving and allocating the last rows…";
    };
    xhr.onload = function () {
      var answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = null;
      }
      if (xhr.status === 201 && answer && answer.report) {
        status.textContent = "Imported. Opening the report…";
        window.location.assign(answer.report);
        return;
      }
      done();
      if (answer && answer.errors) {
        showErrors(answer.errors);
      } else {
        showErrors([{ message: "The import was refused (HTTP " + xhr.status + "). Reload the page and try again; if it happens again, import the file without this page's progress bar by turning JavaScript off." }]);
      }
    };
    xhr.onerror = function () {
      done();
      showErrors([{ message: "The connection broke during the upload; nothing was imported. Check the network and try again." }]);
    };
    xhr.send(file);
  });
})();
