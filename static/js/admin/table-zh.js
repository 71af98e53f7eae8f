/*
 * A Chinese dictionary for the table block's right-click menu (Handsontable 6, bundled with Wagtail without
 * a zh-CN language). home/blocks.py sets the block's `language` to zh-CN; this registers it.
 * Loaded in the admin by home/wagtail_hooks.py.
 */
(function () {
  'use strict';

  var WORDS = {
    CONTEXTMENU_ITEMS_ROW_ABOVE: '在上方插入行',
    CONTEXTMENU_ITEMS_ROW_BELOW: '在下方插入行',
    CONTEXTMENU_ITEMS_INSERT_LEFT: '在左侧插入列',
    CONTEXTMENU_ITEMS_INSERT_RIGHT: '在右侧插入列',
    CONTEXTMENU_ITEMS_REMOVE_ROW: '删除行',
    CONTEXTMENU_ITEMS_REMOVE_COLUMN: '删除列',
    CONTEXTMENU_ITEMS_UNDO: '撤销',
    CONTEXTMENU_ITEMS_REDO: '重做',
    CONTEXTMENU_ITEMS_READ_ONLY: '只读',
    CONTEXTMENU_ITEMS_CLEAR_COLUMN: '清空列',
    CONTEXTMENU_ITEMS_COPY: '复制',
    CONTEXTMENU_ITEMS_CUT: '剪切',
    CONTEXTMENU_ITEMS_FREEZE_COLUMN: '冻结此列',
    CONTEXTMENU_ITEMS_UNFREEZE_COLUMN: '取消冻结列',
    CONTEXTMENU_ITEMS_MERGE_CELLS: '合并单元格',
    CONTEXTMENU_ITEMS_UNMERGE_CELLS: '取消合并单元格',
    CONTEXTMENU_ITEMS_ADD_COMMENT: '添加批注',
    CONTEXTMENU_ITEMS_EDIT_COMMENT: '编辑批注',
    CONTEXTMENU_ITEMS_REMOVE_COMMENT: '删除批注',
    CONTEXTMENU_ITEMS_READ_ONLY_COMMENT: '批注只读',
    CONTEXTMENU_ITEMS_ALIGNMENT: '对齐',
    CONTEXTMENU_ITEMS_ALIGNMENT_LEFT: '左对齐',
    CONTEXTMENU_ITEMS_ALIGNMENT_CENTER: '居中',
    CONTEXTMENU_ITEMS_ALIGNMENT_RIGHT: '右对齐',
    CONTEXTMENU_ITEMS_ALIGNMENT_JUSTIFY: '两端对齐',
    CONTEXTMENU_ITEMS_ALIGNMENT_TOP: '顶端对齐',
    CONTEXTMENU_ITEMS_ALIGNMENT_MIDDLE: '垂直居中',
    CONTEXTMENU_ITEMS_ALIGNMENT_BOTTOM: '底端对齐',
    CONTEXTMENU_ITEMS_BORDERS: '边框',
    CONTEXTMENU_ITEMS_BORDERS_TOP: '上边框',
    CONTEXTMENU_ITEMS_BORDERS_RIGHT: '右边框',
    CONTEXTMENU_ITEMS_BORDERS_BOTTOM: '下边框',
    CONTEXTMENU_ITEMS_BORDERS_LEFT: '左边框',
    CONTEXTMENU_ITEMS_REMOVE_BORDERS: '清除边框',
    CONTEXTMENU_ITEMS_NO_ITEMS: '没有可用的操作',
  };

  function register() {
    var hot = window.Handsontable;
    if (!hot || !hot.languages || hot.languages.getLanguagesDictionaries().some(function (d) {
      return d.languageCode === 'zh-CN';
    })) {
      return;
    }
    var keys = hot.languages.dictionaryKeys;
    var dictionary = { languageCode: 'zh-CN' };
    Object.keys(WORDS).forEach(function (name) {
      if (keys[name]) dictionary[keys[name]] = WORDS[name];
    });
    hot.languages.registerLanguageDictionary(dictionary);
  }

  // Handsontable comes with the table block's media (a plain script before ours runs or before the DOM is ready).
  register();
  document.addEventListener('DOMContentLoaded', register);
})();
