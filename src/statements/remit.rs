//! The remittance arithmetic of one statement (S2:476-520, docs/money.md), on cents.
//! Pure: the database side is in `generate.rs`.

/// What one period's invoice lines add up to, split the way the remit types need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodSums {
    /// To Us on collection lines (reversals negative).
    pub to_us: i64,
    /// To Us of the negative lines alone (≤ 0), for Gross without "bill negative".
    pub to_us_negative: i64,
    pub direct: i64,
    /// Commission and tax on the To Us side and on the Direct side.
    pub commission_to_us: i64,
    pub commission_direct: i64,
    pub tax_to_us: i64,
    pub tax_direct: i64,
    /// Commission and tax on lines with a negative To Us (Gross without "bill negative"
    /// leaves them out along with the reversal itself).
    pub commission_negative: i64,
    pub tax_negative: i64,
    /// Fees due agency: client fees (397) billed on the statement.
    pub fees: i64,
}

impl PeriodSums {
    pub fn commission(&self) -> i64 {
        self.commission_to_us + self.commission_direct
    }
    pub fn tax(&self) -> i64 {
        self.tax_to_us + self.tax_direct
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remit {
    Net,
    Gross,
    Combined,
}

impl Remit {
    pub fn parse(s: &str) -> Remit {
        match s.trim() {
            "G" | "g" => Remit::Gross,
            "C" | "c" => Remit::Combined,
            // "The default Remit Type in the system is Net" (S2:476-477)
            _ => Remit::Net,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Remit::Net => "N",
            Remit::Gross => "G",
            Remit::Combined => "C",
        }
    }
}

/// The outcome: the cheque the agency writes, what the client is billed in total
/// (balance forward included), how much of the balance forward the To Us paid down,
/// and the new charge this statement adds to what the client owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub cheque: i64,
    pub due_from_client: i64,
    pub recovered_from_balance: i64,
    pub new_charge: i64,
}

/// Apply a remit type. `balance_forward` is what the client still owes from earlier
/// statements (≥ 0).
pub fn settle(remit: Remit, s: &PeriodSums, balance_forward: i64, bill_negative: bool) -> Outcome {
    match remit {
        // Check = Total Paid Agency − (Commissions + Fees due Agency + Taxes + Balances
        // Past Due) (S2:482).
        Remit::Net => net(
            s.to_us,
            s.commission() + s.fees + s.tax(),
            balance_forward,
            0,
        ),
        // Gross: the agency returns what it collected and bills commission, fees and tax
        // on both To Us and Direct (S2:488-495). Reversals are recovered from the client
        // only with "Bill Client for Negative To Us" (S2:499-507).
        Remit::Gross => {
            let (to_us, commission, tax) = if bill_negative {
                (s.to_us, s.commission(), s.tax())
            } else {
                (
                    s.to_us - s.to_us_negative,
                    s.commission() - s.commission_negative,
                    s.tax() - s.tax_negative,
                )
            };
            let billed = commission + tax + s.fees + (-to_us).max(0);
            let due = (balance_forward + billed).max(0);
            let (recovered, new_charge) = split(due, balance_forward, 0);
            Outcome {
                cheque: to_us.max(0),
                due_from_client: due,
                recovered_from_balance: recovered,
                new_charge,
            }
        }
        // Combined: the To Us side netted as Net, commission and tax on Direct payments
        // billed (S2:508-517).
        Remit::Combined => net(
            s.to_us,
            s.commission_to_us + s.tax_to_us + s.fees,
            balance_forward,
            s.commission_direct + s.tax_direct,
        ),
    }
}

/// Net the To Us against this period's charges and the balance forward; `billed` is
/// owed on top whatever the netting gives.
fn net(to_us: i64, charges: i64, balance_forward: i64, billed: i64) -> Outcome {
    let x = to_us - (charges + balance_forward);
    let due = ((-x).max(0) + billed).max(0);
    // Money received (and commission credits) pay the oldest balance first.
    let paydown = to_us - charges.min(0);
    let (recovered, new_charge) = split(due, balance_forward, paydown);
    Outcome {
        cheque: x.max(0),
        due_from_client: due,
        recovered_from_balance: recovered,
        new_charge,
    }
}

/// Of what the client owes after a statement (`due`), the part still owed from the
/// balance forward (paid down oldest first by `paydown`) and the part new in it.
fn split(due: i64, balance_forward: i64, paydown: i64) -> (i64, i64) {
    let old_remaining = (balance_forward - paydown.max(0)).max(0).min(due);
    (balance_forward - old_remaining, due - old_remaining)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(to_us: i64, commission: i64, tax: i64) -> PeriodSums {
        PeriodSums {
            to_us,
            commission_to_us: commission,
            tax_to_us: tax,
            ..Default::default()
        }
    }

    #[test]
    fn net_remit() {
        // $1,200 collected at 30%: cheque $840 (the docs/money.md JSON example)
        let o = settle(Remit::Net, &sums(120_000, 36_000, 0), 0, false);
        assert_eq!((o.cheque, o.due_from_client, o.new_charge), (84_000, 0, 0));
        // a balance forward of $100 comes out of the cheque
        let o = settle(Remit::Net, &sums(120_000, 36_000, 0), 10_000, false);
        assert_eq!(
            (
                o.cheque,
                o.due_from_client,
                o.recovered_from_balance,
                o.new_charge
            ),
            (74_000, 0, 10_000, 0)
        );
        // more owed than collected: billed, and the new part is this period's shortfall
        let s = PeriodSums {
            to_us: 10_000,
            commission_to_us: 3_000,
            commission_direct: 30_000,
            fees: 1_500,
            ..Default::default()
        };
        let o = settle(Remit::Net, &s, 5_000, false);
        // x = 100 − (330 + 15 + 50) = −295
        assert_eq!((o.cheque, o.due_from_client), (0, 29_500));
        assert_eq!(o.recovered_from_balance, 5_000);
        assert_eq!(o.new_charge, 29_500);
    }

    #[test]
    fn gross_remit_and_bill_negative() {
        let s = PeriodSums {
            to_us: 50_000 - 10_000,
            to_us_negative: -10_000,
            commission_to_us: 15_000 - 3_000,
            commission_negative: -3_000,
            tax_to_us: 1_200 - 240,
            tax_negative: -240,
            direct: 20_000,
            commission_direct: 6_000,
            tax_direct: 480,
            fees: 1_500,
        };
        let o = settle(Remit::Gross, &s, 2_000, true);
        assert_eq!(o.cheque, 40_000);
        assert_eq!(o.new_charge, 12_000 + 6_000 + 960 + 480 + 1_500);
        assert_eq!(o.due_from_client, 2_000 + o.new_charge);
        // without "bill negative" the reversal and its commission are left out
        let o = settle(Remit::Gross, &s, 0, false);
        assert_eq!(o.cheque, 50_000);
        assert_eq!(o.new_charge, 15_000 + 6_000 + 1_200 + 480 + 1_500);
        // a period of only reversals, billed: the client owes the negative To Us
        let neg = PeriodSums {
            to_us: -10_000,
            to_us_negative: -10_000,
            commission_to_us: -3_000,
            commission_negative: -3_000,
            ..Default::default()
        };
        let o = settle(Remit::Gross, &neg, 0, true);
        assert_eq!((o.cheque, o.due_from_client), (0, 10_000 - 3_000));
    }

    #[test]
    fn combined_remit() {
        let s = PeriodSums {
            to_us: 100_000,
            commission_to_us: 30_000,
            tax_to_us: 0,
            direct: 40_000,
            commission_direct: 12_000,
            fees: 0,
            ..Default::default()
        };
        let o = settle(Remit::Combined, &s, 0, false);
        assert_eq!(
            (o.cheque, o.due_from_client, o.new_charge),
            (70_000, 12_000, 12_000)
        );
    }
}
