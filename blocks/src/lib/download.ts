/** Offers text as a file download in the browser. */
export function downloadText( text: string, filename: string, type = 'text/csv;charset=utf-8' ): void {
	const url = URL.createObjectURL( new Blob( [ text ], { type } ) );
	const link = document.createElement( 'a' );
	link.href = url;
	link.download = filename;
	link.style.display = 'none';
	document.body.appendChild( link );
	link.click();
	link.remove();
	window.setTimeout( () => URL.revokeObjectURL( url ), 1000 );
}
