/* KIM Suite: sao loads custom.js from its web root after tryton-sao.js
 * (tools/demo.sh, tools/serve.sh and `make sao` copy this file there). */
(function() {
    'use strict';
    // The product's name in the browser title and the navigation bar
    Sao.config.title = 'KIM Suite';
    document.title = Sao.config.title;

    // sao 8.0 rebuilds the options of a selection on every redraw and
    // selects the value one tick later; a button clicked in between read
    // every selection as empty and saved it so (issue 17, the intake lost
    // its indication answers). Until the redraw has selected the value,
    // only the user's own choice is taken from the widget.
    var Selection = Sao.View.Form.Selection.prototype;
    var display_update_selection = Selection.display_update_selection;
    Selection.display_update_selection = function() {
        this._kim_redrawing = true;
        var prm = display_update_selection.call(this);
        prm.always(() => {
            this._kim_redrawing = false;
        });
        return prm;
    };
    var focus_out = Selection.focus_out;
    Selection.focus_out = function() {
        this._kim_redrawing = false;  // a choice made by the user
        return focus_out.apply(this, arguments);
    };
    var set_value = Selection.set_value;
    Selection.set_value = function() {
        if (this._kim_redrawing) {
            return;
        }
        return set_value.apply(this, arguments);
    };

    // A button in a list row (e.g. "Unterzeichnen" in the assessments of a
    // case) ran only on the second click: sao 8.0's ButtonColumn lets the
    // first click through to select the row and drops the button. Here the
    // click selects the row (the event bubbles to the cell as before) and
    // the button runs once the row is the current record.
    var ButtonColumn = Sao.View.Tree.ButtonColumn.prototype;
    var button_clicked = ButtonColumn.button_clicked;
    ButtonColumn.button_clicked = function(event) {
        var record = event.data[0];
        if (record != this.view.screen.current_record) {
            window.setTimeout(() => {
                if (record == this.view.screen.current_record) {
                    button_clicked.call(this, event);
                }
            }, 0);
            return true;
        }
        return button_clicked.apply(this, arguments);
    };
}());
