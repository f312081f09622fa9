/* The full discussion guide opened from a CDS Hooks card's link.
   The profile is in the link's fragment (#profile=<base64url of its JSON>), which a browser never
   sends to a server: this script reads it, asks POST /v1/guide for the guide, and shows it. The
   service stores nothing. Every text is set with textContent (never parsed as HTML), and every word
   the page adds comes from the page itself (data-text-* attributes), so it is held to the same
   plain-language test as the rest of the site. */
(function () {
  "use strict";

  var root = document.getElementById("guide-view");
  if (!root) { return; }
  var status = document.getElementById("guide-status");
  var content = document.getElementById("guide-content");

  function say(key) { return root.getAttribute("data-text-" + key) || ""; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function list(tag, items, className) {
    var node = el(tag, null, className);
    items.forEach(function (item) { node.appendChild(el("li", item)); });
    return node;
  }

  function section(id, title) {
    var node = el("section", null, "section " + id);
    node.id = id;
    var heading = el("h2", title);
    heading.id = id + "-title";
    node.setAttribute("aria-labelledby", heading.id);
    node.appendChild(heading);
    content.appendChild(node);
    return node;
  }

  function readFragment(hash) {
    var packed = new URLSearchParams(hash.replace(/^#/, "")).get("profile");
    if (!packed) { return null; }
    var base64 = packed.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    var profile = JSON.parse(new TextDecoder().decode(bytes));
    return profile && typeof profile === "object" && !Array.isArray(profile) ? profile : null;
  }

  function whyAndSources(parent, item) {
    if (item.why && item.why.length) {
      parent.appendChild(el("p", say("why"), "why-label"));
      parent.appendChild(list("ul", item.why, "why"));
    }
    if (item.sources && item.sources.length) {
      parent.appendChild(el("p", say("sources"), "sources-label"));
      var sources = el("ul", null, "sources");
      item.sources.forEach(function (source) {
        var entry = el("li");
        var name = source.label || source.citation || source.id;
        if (source.url && /^https:\/\//.test(source.url)) {
          var link = el("a", name);
          link.href = source.url;
          link.rel = "noopener noreferrer";
          entry.appendChild(link);
        } else {
          entry.textContent = name;
        }
        if (source.citation && source.citation !== name) {
          entry.appendChild(el("span", " " + source.citation, "citation"));
        }
        sources.appendChild(entry);
      });
      parent.appendChild(sources);
    }
  }

  function articles(parent, items, className) {
    items.forEach(function (item, index) {
      var article = el("article", null, className);
      var heading = el("h3", item.title);
      heading.id = className + "-" + (index + 1);
      article.setAttribute("aria-labelledby", heading.id);
      article.appendChild(heading);
      article.appendChild(el("p", item.text));
      if (item.questions && item.questions.length) { article.appendChild(list("ul", item.questions, "questions")); }
      whyAndSources(article, item);
      parent.appendChild(article);
    });
  }

  function render(guide) {
    content.textContent = "";
    if (guide.understood && guide.understood.length) {
      section("understood", say("understood")).appendChild(list("ul", guide.understood));
    }
    if (guide.notices && guide.notices.length) {
      section("notices", say("notices")).appendChild(list("ul", guide.notices.map(function (n) { return n.text; })));
    }
    if (guide.urgent && guide.urgent.length) { articles(section("urgent", say("urgent")), guide.urgent, "urgent-item"); }
    if (guide.top_questions && guide.top_questions.length) {
      section("top-questions", say("top-questions"))
        .appendChild(list("ol", guide.top_questions.map(function (q) { return q.text; }), "question-list"));
    }
    articles(section("points", say("points")), guide.points || [], "point");
    if (guide.questions && guide.questions.length) {
      section("questions", say("questions")).appendChild(list("ol", guide.questions, "question-list"));
    }
    if (guide.glossary && guide.glossary.length) {
      var words = el("dl", null, "glossary");
      guide.glossary.forEach(function (entry) {
        words.appendChild(el("dt", entry.term));
        words.appendChild(el("dd", entry.definition));
      });
      section("words", say("glossary")).appendChild(words);
    }
    var about = el("section", null, "section about");
    about.appendChild(el("p", guide.disclaimer, "disclaimer"));
    if (guide.knowledge_base) {
      var day = new Date(guide.knowledge_base.reviewed_on + "T00:00:00Z");
      var reviewed = isNaN(day.getTime()) ? guide.knowledge_base.reviewed_on :
        day.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
      about.appendChild(el("p", fill(say("kb-version"), { version: guide.knowledge_base.version, reviewed_on: reviewed }),
                           "kb-version"));
    }
    content.appendChild(about);
    status.textContent = "";
  }

  function show() {
    content.textContent = "";
    var profile;
    try {
      profile = readFragment(window.location.hash);
    } catch (error) {
      profile = null;
    }
    if (!profile) {
      status.textContent = say("bad-link");
      return;
    }
    status.textContent = say("loading");
    window.fetch(root.getAttribute("data-guide-url"), {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(profile)
    }).then(function (response) {
      if (response.ok) { return response.json().then(render); }
      status.textContent = response.status === 422 || response.status === 400 ? say("bad-link") : say("failed");
      return null;
    }).catch(function () {
      status.textContent = say("failed");
    });
  }

  window.addEventListener("hashchange", show);
  show();
}());
