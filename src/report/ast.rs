//! The report body as a tree. Every node keeps the file position it came from so
//! `report check` and runtime errors can name `line:column` (docs/architecture.md, minijinja anatomy).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{FieldDef, Form};

/// A 1-based position in the report file (front matter lines included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub line: u32,
    pub col: u32,
}

impl Span {
    /// This position in the report file `origin`.
    pub fn place(self, origin: &str) -> crate::error::Place {
        crate::error::Place::at(origin, u64::from(self.line), u64::from(self.col))
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A catalogue field as the report refers to it: the definition and its index in
/// `form.fields()` (the slot in a [`super::source::Record`]).
#[derive(Debug, Clone, Copy)]
pub struct FieldRef {
    pub def: &'static FieldDef,
    pub idx: usize,
}

/// The suffix in angle brackets after a code (docs/report-language.md, Collect! help, Report Writer: formatting modifiers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Modifier {
    /// No modifier: natural width (currency with two decimals).
    #[default]
    None,
    /// `<`: natural width, left-justified.
    Natural,
    /// `<20>`, `<20<`, `<13.2>`, `<n.0>`.
    Width {
        width: usize,
        decimals: Option<u32>,
        left: bool,
        /// `<n.0>`: print a zero amount instead of blanks.
        show_zero: bool,
    },
    /// `<t>`: the whole amount in words.
    Words,
    /// `<.>` / `<.nn>`: the fraction digits only, optionally right-aligned in nn places.
    Fraction(Option<usize>),
    /// `<!>` / `<!nn>`: the whole part only, optionally in nn places (left-truncating).
    Whole(Option<usize>),
    /// `<0nn>`: digits zero-filled to nn, no point, no separators.
    ZeroFill(usize),
    /// `<MM/DD/YYYY>` and friends, as a chrono format string.
    Date(String),
    /// `<csv>` (our extension): the natural value as one CSV field, quoted when it holds
    /// a comma, quote or line break, inner quotes doubled.
    Csv,
}

impl Modifier {
    /// The column width this modifier asks for, if any.
    pub fn width(&self) -> Option<usize> {
        match self {
            Modifier::Width { width, .. } => Some(*width),
            Modifier::Fraction(n) | Modifier::Whole(n) => *n,
            Modifier::ZeroFill(n) => Some(*n),
            _ => None,
        }
    }
    pub fn is_numeric_only(&self) -> bool {
        matches!(
            self,
            Modifier::Words | Modifier::Fraction(_) | Modifier::Whole(_) | Modifier::ZeroFill(_)
        ) || matches!(
            self,
            Modifier::Width {
                decimals: Some(_),
                ..
            }
        )
    }
}

/// `@d @w @m @y` with their arithmetic, or `@t` (time of day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateCode {
    pub unit: DateUnit,
    /// Units of the code's own kind (`@m-1`), or days when written with `d` (`@m-1d`).
    pub units: i32,
    pub days: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    Day,
    Week,
    Month,
    Year,
    Time,
}

/// Contact control kinds are the store's: its data sources count contacts by them.
pub use crate::store::source::CcKind;

/// The type symbol of a variable declaration (Collect! help, Report Writer: variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    /// `#`
    Int,
    /// `!` (held as an exact decimal: money never touches floats)
    Float,
    /// `$`
    Money,
    /// `%`
    Date,
    /// `*`
    Str,
    /// Undeclared: takes the type of what is assigned.
    Auto,
}

impl VarType {
    pub fn from_symbol(c: char) -> Option<VarType> {
        Some(match c {
            '#' => VarType::Int,
            '!' => VarType::Float,
            '$' => VarType::Money,
            '%' => VarType::Date,
            '*' => VarType::Str,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub enum Index {
    Lit(usize),
    Var(String),
}

/// `@varName`, `@tvarName`, `@varA[1][2]`. `key` is the lower-cased name with its prefix
/// (`var`/`tvar`), so `@varX` and `@tvarX` are different variables.
#[derive(Debug, Clone)]
pub struct VarRef {
    pub key: String,
    pub index: Vec<Index>,
    pub span: Span,
}

impl VarRef {
    pub fn is_static(&self) -> bool {
        self.key.starts_with("tvar")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// `@( … )` arithmetic: field codes without `@`, variables, numbers.
#[derive(Debug, Clone)]
pub enum Expr {
    Num(Decimal),
    Field(FieldRef),
    Var(VarRef),
    Date(DateCode),
    Neg(Box<Expr>),
    Bin(Box<Expr>, BinOp, Box<Expr>),
}

/// Something that yields a value: in text, in conditions, on the right of `=`.
#[derive(Debug, Clone)]
pub enum Operand {
    Field(FieldRef),
    Var(VarRef),
    Expr(Expr),
    Date(DateCode),
    Counter,
    PageNo,
    Pv(FieldRef),
    Pt(FieldRef, Box<Operand>),
    Cc(CcKind),
    Lit(String),
}

/// One piece of a body line.
#[derive(Debug, Clone)]
pub enum Item {
    Text(String),
    /// A value with its modifier. `slot` numbers currency fields for loop totals.
    Value {
        op: Operand,
        m: Modifier,
        slot: Option<usize>,
        span: Span,
    },
    Bold,
    Underline,
    NewPage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Cmp {
        lhs: Operand,
        op: CmpOp,
        rhs: Operand,
        /// `a .. b`: the upper bound (op is `=`; `<>` means outside the range).
        upper: Option<Operand>,
        span: Span,
    },
    /// A bare operand: true when non-blank and non-zero (`@if (@CCCALLOK)`).
    Truthy(Operand, Span),
}

/// What a loop iterates: records of `form`, all of them or those related to the current
/// record of `parent` (`@cl.de`: parent Client, form Debtor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopKind {
    pub form: Form,
    pub parent: Option<Form>,
}

#[derive(Debug, Clone)]
pub struct OrderKey {
    pub field: FieldRef,
    pub desc: bool,
}

#[derive(Debug, Clone)]
pub struct LoopNode {
    /// The code as written (`cl.de`), lower-cased; the closing line must repeat it.
    pub code: String,
    pub kind: LoopKind,
    pub no_total: bool,
    pub wheres: Vec<Cond>,
    pub max: Option<usize>,
    pub order: Vec<OrderKey>,
    pub body: Vec<Node>,
    /// The line repeated as the total line (docs/report-language.md), chosen after parsing.
    pub total: Option<Vec<Item>>,
    /// Number of currency slots in the report (sizes the accumulators).
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct IfNode {
    pub branches: Vec<(Cond, Vec<Node>)>,
    pub otherwise: Option<Vec<Node>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone)]
pub enum Rhs {
    /// One value (a code, a function, arithmetic, a quoted or bare literal).
    Value(Operand),
    /// Text with codes in it, evaluated to a string.
    Template(Vec<Item>),
    /// `@SQL(select …)` into an array.
    Sql(String),
}

#[derive(Debug, Clone)]
pub enum Node {
    Line {
        items: Vec<Item>,
        span: Span,
    },
    Loop(Box<LoopNode>),
    If(Box<IfNode>),
    Declare {
        var: VarRef,
        ty: VarType,
        /// Array dimensions (`@varA[5][2]`), empty for a scalar.
        dims: Vec<usize>,
        init: Option<Rhs>,
    },
    Assign {
        var: VarRef,
        op: AssignOp,
        rhs: Rhs,
        /// A type symbol written on the assignment (`@varX$ = …`) re-declares the type.
        ty: Option<VarType>,
    },
}

/// A literal date as written in a condition or assignment (`01/31/2024`, `2024-01-31`).
pub fn parse_date_literal(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for f in ["%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%m/%d/%y", "%m-%d-%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    None
}
