/*
 * Editor content as it really arrives (admin only; loaded by home/wagtail_hooks.py).
 *
 * 1. Paste into rich text (Draftail): clipboard HTML from WeChat articles and WPS/Word is rewritten
 *    before the editor reads it — <section>s become paragraphs, lazy WeChat pictures (data-src) and
 *    other external pictures become a visible 〔待处理图片〕 link that the server imports on save (or
 *    that must be resolved before publishing), tables become one paragraph per row — and the editor is
 *    told what was changed and what could not be kept.
 * 2. Stimulus controller "pasted-table": the paste area of the 表格（从 Excel/WPS 粘贴） block reads an
 *    HTML table (merged cells and all) or tab-separated text into the block's hidden input.
 */
(function () {
  'use strict';

  var PLACEHOLDER = '〔待处理图片';
  var BLOCK_TAGS = /^(P|DIV|SECTION|ARTICLE|H[1-6]|UL|OL|LI|TABLE|BLOCKQUOTE|FIGURE|HR|PRE)$/;

  function text(node) {
    return (node.textContent || '').replace(/[\s\u00a0\u3000]+/g, ' ').trim();
  }

  function hasBlockChild(element) {
    for (var i = 0; i < element.children.length; i += 1) {
      if (BLOCK_TAGS.test(element.children[i].tagName)) return true;
    }
    return false;
  }

  function imageSource(img) {
    var candidates = [img.getAttribute('data-src'), img.getAttribute('data-original'), img.getAttribute('src')];
    for (var i = 0; i < candidates.length; i += 1) {
      var value = (candidates[i] || '').trim();
      if (value && value.indexOf('data:image/svg') !== 0) return value;
    }
    return '';
  }

  function placeholderFor(doc, img, report) {
    var src = imageSource(img);
    var alt = (img.getAttribute('alt') || img.getAttribute('title') || '').trim();
    if (src.indexOf('//') === 0) src = 'https:' + src;
    var paragraph = doc.createElement('p');
    if (/^https?:\/\//i.test(src)) {
      var link = doc.createElement('a');
      link.setAttribute('href', src);
      link.textContent = PLACEHOLDER + (alt ? '：' + alt : '') + '〕';
      paragraph.appendChild(link);
      report.external += 1;
    } else {
      // file:///C:/… (WPS, Word) or inline data: pictures cannot be fetched by anyone but the editor.
      paragraph.textContent = PLACEHOLDER + '：原文档中的图片，请另存后上传' + (alt ? '（' + alt + '）' : '') + '〕';
      report.local += 1;
    }
    return paragraph;
  }

  function styleOf(element) {
    return (element.getAttribute && element.getAttribute('style')) || '';
  }

  /**
   * Rewrite clipboard HTML for Draftail. Returns {html, report}; report counts what changed.
   * Exposed as window.hainingPaste.clean for tests.
   */
  function cleanPastedHtml(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var body = doc.body;
    var report = { external: 0, local: 0, sections: 0, tables: 0, styles: 0, source: '' };
    if (/mmbiz|rich_media|js_content|data-tools="135/i.test(html)) report.source = '微信公众号文章';
    else if (/content="?(WPS|Kingsoft)|urn:schemas-microsoft-com:office|mso-|class="?Mso/i.test(html))
      report.source = 'WPS/Word 文档';

    Array.prototype.forEach.call(body.querySelectorAll('style,script,meta,link,title,xml,o\\:p'), function (node) {
      node.remove();
    });
    var walker = doc.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
    var comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    comments.forEach(function (node) {
      node.remove();
    });

    Array.prototype.forEach.call(body.querySelectorAll('[style]'), function (element) {
      if (/color|font-size|font-family|background|text-align|text-indent/i.test(styleOf(element))) report.styles += 1;
    });

    // Pictures: one paragraph of their own each, a placeholder the server imports or the editor resolves.
    Array.prototype.forEach.call(body.querySelectorAll('img'), function (img) {
      var placeholder = placeholderFor(doc, img, report);
      var container = img.parentElement;
      while (container && container !== body && !BLOCK_TAGS.test(container.tagName)) container = container.parentElement;
      if (container && container !== body && !text(container) && container.querySelectorAll('img').length === 1) {
        container.replaceWith(placeholder);
      } else {
        img.replaceWith(placeholder);
      }
    });

    // Tables cannot live in rich text: one paragraph per row, cells separated by ｜, never run together.
    Array.prototype.forEach.call(body.querySelectorAll('table'), function (table) {
      report.tables += 1;
      var fragment = doc.createDocumentFragment();
      Array.prototype.forEach.call(table.rows, function (row) {
        var cells = Array.prototype.map.call(row.cells, function (cell) {
          return text(cell);
        });
        if (cells.join('')) {
          var paragraph = doc.createElement('p');
          paragraph.textContent = cells.join(' ｜ ');
          fragment.appendChild(paragraph);
        }
      });
      table.replaceWith(fragment);
    });

    // WeChat's <section>s (and layout <div>s): containers unwrap, leaves become paragraphs.
    var changed = true;
    while (changed) {
      changed = false;
      var containers = body.querySelectorAll('section,article,div');
      for (var i = 0; i < containers.length; i += 1) {
        var element = containers[i];
        if (!element.isConnected) continue;
        report.sections += element.tagName === 'SECTION' ? 1 : 0;
        if (hasBlockChild(element)) {
          // Loose inline runs between block children become their own paragraphs.
          var run = null;
          Array.prototype.slice.call(element.childNodes).forEach(function (child) {
            var isBlock = child.nodeType === 1 && BLOCK_TAGS.test(child.tagName);
            if (isBlock) {
              run = null;
            } else if (child.nodeType === 1 || (child.textContent || '').trim()) {
              if (!run) {
                run = doc.createElement('p');
                child.before(run);
              }
              run.appendChild(child);
            }
          });
          element.replaceWith.apply(element, Array.prototype.slice.call(element.childNodes));
        } else {
          var paragraph = doc.createElement('p');
          while (element.firstChild) paragraph.appendChild(element.firstChild);
          element.replaceWith(paragraph);
        }
        changed = true;
      }
    }

    // Inline wrappers (WeChat and WPS wrap every few characters in a styled <span>) go, bold stays bold:
    // a span holding only &nbsp; would otherwise be dropped by Draft.js as "empty".
    Array.prototype.forEach.call(body.querySelectorAll('span,font'), function (element) {
      if (/font-weight:\s*(bold|[6-9]00)/i.test(styleOf(element))) {
        var strong = doc.createElement('strong');
        while (element.firstChild) strong.appendChild(element.firstChild);
        element.appendChild(strong);
      }
      element.replaceWith.apply(element, Array.prototype.slice.call(element.childNodes));
    });
    body.normalize();
    // Draft.js turns the text "&nbsp;" into a plain space (collapsed on the page); a numeric reference
    // reaches it as a real no-break space, so runs of spaces survive.
    return { html: body.innerHTML.replace(/&nbsp;/g, '&#160;'), report: report };
  }

  function describe(report) {
    var parts = [];
    var kept = [];
    if (report.sections) kept.push('分段');
    kept.push('文字和中文标点', '连续空格', '加粗', '链接');
    parts.push('已粘贴' + (report.source ? '自' + report.source : '') + '：保留了' + kept.join('、') + '。');
    if (report.external) {
      parts.push(
        report.external +
          ' 张外部图片已换成〔待处理图片〕标记：保存时系统会尝试把它们导入图片库；导入不了的请下载后上传，再用工具栏的「图片」插入并填写替代文字。有标记时不能发布或提交审核。',
      );
    }
    if (report.local) {
      parts.push(report.local + ' 张原文档中的图片无法随粘贴带过来（〔待处理图片〕标记处）：请从原文档另存图片后上传插入。');
    }
    if (report.tables) {
      parts.push(report.tables + ' 个表格已按行转成段落（单元格用「｜」分隔）：要保留表格，请改用「表格（从 Excel/WPS 粘贴）」块。');
    }
    if (report.styles) {
      parts.push('原文的颜色、字号、字体、居中和首行缩进没有保留：请用工具栏的「红头」「居中」「居右」「缩进」重新设置。');
    }
    return parts;
  }

  function showNotice(editorRoot, report) {
    var field = editorRoot.closest('.Draftail-Editor') || editorRoot;
    var host = field.parentElement;
    var notice = host.querySelector(':scope > .paste-report');
    if (!notice) {
      notice = document.createElement('div');
      notice.className = 'paste-report help-block help-warning';
      notice.setAttribute('role', 'status');
      host.insertBefore(notice, field);
    }
    notice.textContent = '';
    describe(report).forEach(function (line) {
      var p = document.createElement('p');
      p.textContent = line;
      notice.appendChild(p);
    });
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'button button-small button-secondary paste-report__close';
    close.textContent = '知道了';
    close.addEventListener('click', function () {
      notice.remove();
    });
    notice.appendChild(close);
  }

  document.addEventListener(
    'paste',
    function (event) {
      if (event.hainingCleaned || !event.clipboardData) return;
      var target = event.target && event.target.nodeType === 1 ? event.target : event.target && event.target.parentElement;
      var root = target && target.closest('.DraftEditor-root');
      if (!root) return;
      var html = event.clipboardData.getData('text/html');
      if (!html) return;
      var result = cleanPastedHtml(html);
      var transfer = new DataTransfer();
      transfer.setData('text/html', result.html);
      transfer.setData('text/plain', event.clipboardData.getData('text/plain'));
      event.preventDefault();
      event.stopImmediatePropagation();
      var replay = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
      replay.hainingCleaned = true;
      target.dispatchEvent(replay);
      showNotice(root, result.report);
    },
    true,
  );

  /* --- 表格（从 Excel/WPS 粘贴） -------------------------------------------------------------- */

  function parseHtmlTable(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var table = doc.querySelector('table');
    if (!table) return null;
    var rows = Array.prototype.map.call(table.rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) {
        Array.prototype.forEach.call(cell.querySelectorAll('br'), function (br) {
          br.replaceWith('\n');
        });
        return {
          text: (cell.textContent || '').replace(/[ \t\r\f\u00a0]+/g, ' ').replace(/ *\n */g, '\n').trim(),
          colspan: cell.colSpan || 1,
          rowspan: cell.rowSpan || 1,
        };
      });
    });
    var headerFound = !!table.querySelector('thead, tr:first-child > th');
    return { rows: rows, headerFound: headerFound };
  }

  function parseTabText(plain) {
    var lines = plain.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
    if (!lines.length || !plain.trim()) return null;
    return {
      rows: lines.map(function (line) {
        return line.split('\t').map(function (value) {
          return { text: value.trim(), colspan: 1, rowspan: 1 };
        });
      }),
      headerFound: false,
    };
  }

  function renderPreview(container, data) {
    container.textContent = '';
    if (!data || !data.rows || !data.rows.length) return;
    var table = document.createElement('table');
    table.className = 'pasted-table__table';
    data.rows.forEach(function (row) {
      var tr = table.insertRow();
      row.forEach(function (cell) {
        var td = tr.insertCell();
        td.textContent = cell.text;
        if (cell.colspan > 1) td.colSpan = cell.colspan;
        if (cell.rowspan > 1) td.rowSpan = cell.rowspan;
      });
    });
    container.appendChild(table);
  }

  function registerTableController() {
    if (!window.wagtail || !window.wagtail.app || !window.StimulusModule) return false;
    var Controller = window.StimulusModule.Controller;
    class PastedTableController extends Controller {
      connect() {
        var data = null;
        try {
          data = this.inputTarget.value ? JSON.parse(this.inputTarget.value) : null;
        } catch (error) {
          data = null;
        }
        renderPreview(this.previewTarget, data);
        if (data && data.rows) this.statusTarget.textContent = '当前表格：' + data.rows.length + ' 行。重新粘贴会替换整个表格。';
      }

      keydown(event) {
        // The area only receives pastes; typing would be lost, so keep it empty.
        if (!(event.ctrlKey || event.metaKey) && event.key.length === 1) event.preventDefault();
      }

      paste(event) {
        event.preventDefault();
        var clipboard = event.clipboardData;
        var data = parseHtmlTable(clipboard.getData('text/html')) || parseTabText(clipboard.getData('text/plain'));
        if (!data) {
          this.statusTarget.textContent = '剪贴板里没有表格：请在 Excel 或 WPS 中选中单元格后复制，再粘贴到这里。';
          return;
        }
        var merged = 0;
        data.rows.forEach(function (row) {
          row.forEach(function (cell) {
            if (cell.colspan > 1 || cell.rowspan > 1) merged += 1;
          });
        });
        this.inputTarget.value = JSON.stringify({ rows: data.rows });
        this.inputTarget.dispatchEvent(new Event('change', { bubbles: true }));
        renderPreview(this.previewTarget, data);
        this.statusTarget.textContent =
          '已读取 ' +
          data.rows.length +
          ' 行' +
          (merged ? '，其中 ' + merged + ' 个合并单元格已保留' : '') +
          '。' +
          (data.headerFound ? '原表有表头行。' : '请确认下方「第一行是表头」是否勾选。');
      }
    }
    PastedTableController.targets = ['input', 'zone', 'status', 'preview'];
    window.wagtail.app.register('pasted-table', PastedTableController);
    return true;
  }

  if (!registerTableController()) {
    document.addEventListener('DOMContentLoaded', registerTableController, { once: true });
  }

  window.hainingPaste = { clean: cleanPastedHtml, describe: describe, parseHtmlTable: parseHtmlTable };
})();
