// Renders the social feed from /social/api/posts, page after page, the way an
// infinite-scroll timeline does. The markup must stay identical to
// render_post_html() in yuqing/testweb/social_site.py: parsers are tested on
// both and must get the same documents.
(function () {
  "use strict";
  var feed = document.getElementById("feed");

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function shortCount(n) {
    return n >= 10000 ? (n / 10000).toFixed(1) + "万" : String(n);
  }

  function renderText(text) {
    return esc(text).replace(/#([^#\n]+)#/g, '<span class="topic">#$1#</span>');
  }

  function counter(cls, n) {
    return '<span class="' + cls + '" data-count="' + n + '">' + shortCount(n) + "</span>";
  }

  function renderPost(p) {
    var el = document.createElement("article");
    el.className = "post";
    el.setAttribute("data-id", p.id);
    var repost = p.retweeted_status;
    if (repost) {
      el.setAttribute("data-repost-of", repost.id);
    }
    var when = p.created_at.slice(0, 10) + " " + p.created_at.slice(11, 16);
    var html = '<header class="post-head"><a class="author" href="' + esc(p.user.profile_url) + '">' +
      esc(p.user.screen_name) + "</a>";
    if (p.user.verified) {
      html += '<span class="verified" title="认证用户">V</span>';
    }
    html += '<a class="permalink" href="' + esc(p.url) + '"><time datetime="' + esc(p.created_at) + '">' +
      when + "</time></a>";
    if (p.region_name) {
      html += '<span class="region">' + esc(p.region_name) + "</span>";
    }
    html += '</header><div class="text">' + renderText(p.text) + "</div>";
    if (repost) {
      html += '<div class="repost-ref">转发自 <a href="' + esc(repost.url) + '">@' + esc(repost.user.screen_name) +
        "</a></div>";
    }
    html += '<footer class="actions">' + counter("reposts", p.reposts_count) + counter("comments", p.comments_count) +
      counter("likes", p.attitudes_count) + "</footer>";
    el.innerHTML = html;
    return el;
  }

  function load(page) {
    fetch("/social/api/posts?page=" + page, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        body.data.list.forEach(function (p) { feed.appendChild(renderPost(p)); });
        if (body.data.next_page) {
          load(body.data.next_page);
        } else {
          feed.setAttribute("data-state", "done");
        }
      })
      .catch(function (err) {
        feed.setAttribute("data-state", "error");
        feed.setAttribute("data-error", String(err));
      });
  }

  load(1);
})();
