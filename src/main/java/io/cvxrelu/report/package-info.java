/**
 * What the jobs write about a solve besides the model: the progress log, the accuracy history
 * at each certificate row, and the compare report (table, CSV and plots of the convex program
 * against SGD, after Pilanci and Ergen 2020, Figs. 2 and 5). A gap is reported as certified
 * only as {@link io.cvxrelu.solver.Certification} says, and the plots measure objectives
 * against a certified value, never against an iterate that violates the cone constraints. No
 * Spark class is used here.
 */
package io.cvxrelu.report;
