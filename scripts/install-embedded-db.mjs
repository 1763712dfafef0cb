console.log("embedded db install: pending");
